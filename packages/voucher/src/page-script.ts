/**
 * The only script on the page (about 1.5 KB, inline with the CSP nonce). The page is complete
 * without it; it adds: copy button, print button, countdown, and light status polling that
 * reloads the page when the status changes. Kept in ES5 syntax for old Android WebViews.
 *
 * The countdown runs from the server's "remaining ms" and the page's monotonic clock, not from
 * the phone's wall clock, which on cheap phones is often minutes or hours off.
 */
export const PAGE_SCRIPT = `(function(){
var d=document,b=d.body;
function $(id){return d.getElementById(id)}
var cb=$("copy-cip"),cs=$("copy-status");
if(cb){cb.hidden=false;cb.addEventListener("click",function(){
var t=cb.getAttribute("data-cip");
function ok(){cs.textContent=cb.getAttribute("data-ok")}
function old(){var a=d.createElement("textarea");a.value=t;a.setAttribute("readonly","");a.className="sr";d.body.appendChild(a);a.select();var r=false;try{r=d.execCommand("copy")}catch(e){}a.remove();cs.textContent=cb.getAttribute(r?"data-ok":"data-fail")}
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(t).then(ok,old)}else{old()}
})}
var pb=$("print");
if(pb){pb.hidden=false;$("print-hint").hidden=true;pb.addEventListener("click",function(){window.print()})}
var cd=$("countdown");
if(cd){var end=performance.now()+Number(cd.getAttribute("data-remaining-ms")),u=cd.getAttribute("data-units").split("|");
var tick=function(){var ms=end-performance.now();if(ms<=0){cd.textContent=cd.getAttribute("data-over");check();return}
var s=Math.floor(ms/1000),dd=Math.floor(s/86400),h=Math.floor(s%86400/3600),m=Math.floor(s%3600/60),p=[];
if(dd)p.push(dd+" "+u[0]);if(dd||h)p.push(h+" "+u[1]);p.push(m+" "+u[2]);if(!dd&&!h)p.push(s%60+" "+u[3]);
cd.textContent=cd.getAttribute("data-template").replace("{time}",p.join(" "));setTimeout(tick,1000-ms%1000+5)};tick()}
var su=b.getAttribute("data-status-url"),st=b.getAttribute("data-status"),pm=Number(b.getAttribute("data-poll-ms"))||15000,t0=Date.now(),tm;
function sched(){clearTimeout(tm);if(su)tm=setTimeout(check,Date.now()-t0>6e5?pm*4:pm)}
function check(){if(!su)return;if(d.visibilityState==="hidden"){sched();return}
fetch(su,{headers:{Accept:"application/json"},cache:"no-store",credentials:"same-origin"}).then(function(r){return r.ok?r.json():null}).then(function(j){if(j&&j.status&&j.status!==st){location.reload()}else{sched()}},sched)}
if(su){if($("refresh"))$("refresh").hidden=false;d.addEventListener("visibilitychange",function(){if(d.visibilityState==="visible")check()});sched()}
})();`
  .replace(/\n/g, "")
  .trim();
