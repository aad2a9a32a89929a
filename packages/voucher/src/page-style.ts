/**
 * The page's only stylesheet, inlined with the CSP nonce. System fonts (no web font download on
 * a prepaid plan), mobile first: on a 360×640 screen the CIP, amount, deadline and the first
 * step fit above the fold. Print: A4 by default, a compact layout on narrow receipt paper.
 */
export const PAGE_CSS = `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;background:#f4f4f1}
a{color:#0a4a94}
.wrap{max-width:66rem;margin:0 auto;padding:0 1rem}
.wrap.narrow{max-width:40rem}
.top{background:#fff;border-bottom:1px solid #dcdcd6}
.top .wrap{display:flex;align-items:center;justify-content:space-between;gap:.75rem;min-height:3rem;padding-top:.4rem;padding-bottom:.4rem}
.merchant{display:flex;align-items:center;gap:.5rem;font-weight:700;min-width:0}
.merchant span{overflow-wrap:anywhere;line-height:1.2}
.merchant img{height:2rem;width:auto;max-width:6rem}
.order{margin:0;color:#4a4a4a;font-size:.9rem;white-space:nowrap}
h1{font-size:1.25rem;line-height:1.25;margin:.75rem 0 .6rem}
h2{font-size:1.15rem;margin:0 0 .4rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
.card{background:#fff;border:1px solid #dcdcd6;border-radius:.75rem;padding:.75rem 1rem;margin:0 0 1rem}
.card>p:first-child{margin-top:0}
.pay{border:2px solid #c99a00;background:#fffbea}
.label{margin:0;font-size:.85rem;color:#3d3d3d;font-weight:600}
.cip-row{display:flex;align-items:center;justify-content:space-between;gap:.5rem;flex-wrap:wrap}
.cip{margin:0;font-size:clamp(1.9rem,9vw,2.6rem);line-height:1.15;font-weight:800;letter-spacing:.03em;font-variant-numeric:tabular-nums;white-space:nowrap}
.copy-status{margin:0;min-height:0;font-size:.85rem;color:#0d6130;font-weight:600}
.copy-status:empty{display:none}
.amount{margin:0;font-size:1.6rem;font-weight:800;line-height:1.2;font-variant-numeric:tabular-nums}
.amount-row{margin-top:.4rem}
.deadline{margin:.5rem 0 0;font-weight:700}
.countdown{margin:.1rem 0 0;color:#3d3d3d;font-size:.95rem;font-variant-numeric:tabular-nums}
.btn{display:inline-block;flex:none;font:inherit;font-weight:700;border-radius:.5rem;padding:.55rem 1rem;min-height:2.75rem;cursor:pointer;text-decoration:none;text-align:center;border:2px solid #0a4a94;background:#0a4a94;color:#fff}
.btn.secondary{background:#fff;color:#0a4a94}
.btn:focus-visible,a:focus-visible,summary:focus-visible{outline:3px solid #c99a00;outline-offset:2px}
.quick{margin:0 0 .5rem;padding-left:1.4rem}
.quick li{margin:0 0 .35rem}
.after{margin:.25rem 0;font-size:.95rem}
.group{margin-top:1rem}
.group ol{padding-left:1.4rem;margin:.4rem 0}
.group li{margin:.2rem 0}
.intro{margin:0 0 .4rem}
.banks details{border:1px solid #dcdcd6;border-radius:.5rem;background:#fff;margin:.35rem 0}
.banks summary{cursor:pointer;padding:.6rem .8rem;font-weight:700;min-height:2.75rem}
.banks details ol{margin:0 .8rem .6rem 0}
.places{display:flex;flex-wrap:wrap;gap:.35rem;list-style:none;padding:0;margin:.35rem 0 0}
.places li{background:#fff;border:1px solid #dcdcd6;border-radius:1rem;padding:.15rem .65rem;font-size:.95rem}
.note{font-size:.9rem;color:#3d3d3d}
.codes{display:flex;flex-wrap:wrap;gap:1rem}
.codes figure{margin:0;flex:1 1 14rem}
.codes figcaption{font-size:.9rem;color:#3d3d3d}
.barcode{display:block;width:100%;max-width:22rem;height:4.5rem;margin-top:.4rem}
.barcode-digits{margin:.1rem 0 .25rem;font-size:1.2rem;font-weight:700;letter-spacing:.12em;font-variant-numeric:tabular-nums}
.qr{display:block;width:9rem;height:9rem}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin:0 0 1rem}
.hint{font-size:.9rem;margin:0}
.refresh{font-size:.85rem;color:#4a4a4a;margin:0 0 1rem}
.state-icon{display:block;width:3rem;height:3rem;margin:1rem 0 0}
.meta{color:#3d3d3d;font-size:.95rem}
footer{border-top:1px solid #dcdcd6;color:#4a4a4a;font-size:.85rem;padding:1rem 0 2rem}
@media (min-width:60rem){
  main.grid{display:grid;grid-template-columns:minmax(0,26rem) minmax(0,1fr);column-gap:2rem;align-items:start}
  main.grid>h1{grid-column:1/-1}
  .col-a{grid-column:1}
  .col-b{grid-column:2;grid-row:2/span 3}
  h1{font-size:1.6rem;margin-top:1.25rem}
}
@media print{
  @page{margin:12mm}
  html{font-size:11pt}
  body{background:#fff;color:#000}
  .btn,.actions,.refresh,.countdown,.copy-status,.qr-link,footer{display:none!important}
  .card,.pay{background:#fff;border:2px solid #000;break-inside:avoid}
  a{color:#000;text-decoration:none}
  .banks{display:flex;flex-wrap:wrap;column-gap:.3rem}
  .banks details{border:0;margin:0;background:none}
  .banks summary{padding:0;min-height:0;list-style:none}
  .banks summary::-webkit-details-marker{display:none}
  .banks details:not(:last-child) summary::after{content:", "}
  .banks details ol{display:none}
  .places{display:block}
  .places li{display:inline;border:0;padding:0;background:none}
  .places li:not(:last-child)::after{content:", "}
  main.grid{display:block}
}
@media print and (max-width:100mm){
  @page{margin:3mm}
  html{font-size:8.5pt}
  .wrap{padding:0}
  .top .wrap{display:block}
  .group .intro,.note,.qr-block{display:none}
  .card{padding:2mm;border-width:1px}
}
`
  .replace(/\n\s*/g, "")
  .trim();
