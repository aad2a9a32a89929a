import forge from "node-forge";

/** Throwaway PKI made inside the tests: a CA, certificates it signs, and nothing on disk to leak. */
export interface Pem {
  cert: string;
  key: string;
}

let serial = 1;

function makeCert(opts: {
  cn: string;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  isCa?: boolean;
  serverAltIp?: string;
}): { pem: Pem; cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, "0");
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ name: "commonName", value: opts.cn }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [{ name: "basicConstraints", cA: Boolean(opts.isCa) }];
  if (opts.isCa) extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true });
  else extensions.push({ name: "keyUsage", digitalSignature: true, keyEncipherment: true });
  if (opts.serverAltIp) {
    extensions.push({ name: "extKeyUsage", serverAuth: true });
    extensions.push({ name: "subjectAltName", altNames: [{ type: 7, ip: opts.serverAltIp }] });
  } else if (!opts.isCa) {
    extensions.push({ name: "extKeyUsage", clientAuth: true });
  }
  cert.setExtensions(extensions);
  cert.sign(opts.issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  return {
    pem: {
      cert: forge.pki.certificateToPem(cert),
      key: forge.pki.privateKeyToPem(keys.privateKey),
    },
    cert,
    key: keys.privateKey,
  };
}

export function makeCa(cn: string) {
  const ca = makeCert({ cn, isCa: true });
  return {
    pem: ca.pem,
    issue: (name: string, serverAltIp?: string): Pem =>
      makeCert({
        cn: name,
        issuer: { cert: ca.cert, key: ca.key },
        ...(serverAltIp ? { serverAltIp } : {}),
      }).pem,
  };
}
