import { createHash } from 'node:crypto';
import { UI_ENHANCEMENTS_SCRIPT } from './ui-enhancements-script.js';

const STYLESHEET = `*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;background:#fff}
a{color:#0b4f9c}a:focus,button:focus,input:focus,select:focus{outline:3px solid #c75a00;outline-offset:2px}
.skip-link{position:absolute;left:-999px}.skip-link:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:1}
header{background:#12263f;color:#fff;padding:8px 16px}header a{color:#fff}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px}nav button{margin:0}
main{padding:16px;max-width:72rem;margin:0 auto}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #ccc}td code,p code{overflow-wrap:anywhere}
.table-scroll{overflow-x:auto}.table-scroll>table{display:table}
label{display:block;font-weight:600;margin-top:12px}.filters{display:flex;flex-wrap:wrap;gap:0 24px;align-items:flex-end}.filters>div:last-child{flex-basis:100%;margin-top:12px}.filter input[inputmode=numeric]{width:7em}input,select,textarea{font:inherit;padding:6px;max-width:100%}
button{font:inherit;padding:6px 14px;margin-top:12px;cursor:pointer}
.error-summary{border:3px solid #b00020;padding:8px 16px;margin-bottom:16px}.field-error{color:#b00020;font-weight:600}
.warning{border-left:6px solid #c75a00;padding:4px 12px;background:#fff6ec}
.visually-hidden,.tabs-enhanced [role=tabpanel]>h2{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
[role=tablist]{display:flex;flex-wrap:wrap;gap:4px;border-bottom:2px solid #12263f;margin-top:16px}
[role=tab]{margin:0;border:1px solid #12263f;border-bottom:none;background:#f3f3f3;color:#1b1b1b}
[role=tab][aria-selected=true]{background:#12263f;color:#fff}
dialog{max-width:min(40rem,calc(100vw - 32px));border:2px solid #12263f;padding:16px 24px}dialog form{display:inline-block;margin-right:12px}dialog::backdrop{background:rgb(0 0 0 / 50%)}
pre{background:#f3f3f3;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.inline-form{display:inline}.stats{display:flex;flex-wrap:wrap;gap:16px;padding:0;list-style:none}
.stats li{border:1px solid #ccc;padding:8px 16px}
.sso-sign-in{display:inline-block;padding:6px 14px;border:2px solid #0b4f9c;border-radius:4px;font-weight:600}
`;

export interface UiAsset {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

function hashed(name: string, extension: string, contentType: string, body: string): UiAsset {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/static/${name}.${digest}.${extension}`, contentType, body };
}

/** Served with hashed names, so they can be cached for a year. */
export const UI_SCRIPT = hashed('regauth-ui', 'js', 'text/javascript; charset=utf-8', UI_ENHANCEMENTS_SCRIPT);
export const UI_STYLESHEET = hashed('regauth-ui', 'css', 'text/css; charset=utf-8', STYLESHEET);
export const UI_ASSETS: readonly UiAsset[] = [UI_SCRIPT, UI_STYLESHEET];
