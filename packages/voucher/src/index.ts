export { buildVoucherViewModel } from "./view-model";
export { renderVoucherPage, type RenderPageOptions } from "./page";
export { renderVoucherEmail, type VoucherEmail, type VoucherEmailAttachment } from "./email";
export { renderVoucherStatusJson, type StatusJsonResponse } from "./status-json";
export {
  contentSecurityPolicy,
  createNonce,
  createVoucherToken,
  securityHeaders,
  signVoucherId,
  verifyVoucherId,
  type CspOptions,
} from "./security";
export { code128Png, code128Svg } from "./barcode";
export { groupCipForDictation } from "./cip";
export {
  CHANNEL_GROUPS,
  CHANNELS_VERSION,
  CHANNEL_GROUP_IDS,
  type ChannelGroupId,
} from "./channels";
export { COPY, type VoucherCopy } from "./copy/index";
export type * from "./types";
export { channelGroupsOf, findShownVoucher } from "./lookup";
