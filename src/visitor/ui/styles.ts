/**
 * The default visitor UI's stylesheet (inside the layer's shadow root: the site's CSS does
 * not reach it, and it does not reach the site). System fonts, high contrast, visible
 * focus rings, no motion for visitors who ask for none.
 */
export const UI_CSS = `
[hidden]{display:none!important}
.oc-ui{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827}
.oc-ui button{font:inherit;cursor:pointer;border-radius:6px;padding:7px 14px;border:1px solid #1d4ed8;background:#fff;color:#1d4ed8}
.oc-ui button.oc-primary{background:#1d4ed8;color:#fff}
.oc-ui button:focus-visible,.oc-ui a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.oc-ui a{color:#1d4ed8}
.oc-start{position:fixed;right:20px;bottom:20px;pointer-events:auto;box-shadow:0 4px 14px rgba(0,0,0,.25);border-radius:24px!important;padding:10px 18px!important;background:#1d4ed8!important;color:#fff!important}
.oc-panel{position:fixed;right:20px;bottom:20px;max-width:320px;pointer-events:auto;background:#fff;border:1px solid #d1d5db;border-radius:10px;box-shadow:0 6px 20px rgba(0,0,0,.25);padding:12px 14px}
.oc-panel p{margin:0 0 8px}
.oc-code{display:block;font:700 28px/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.15em;margin:4px 0 8px}
.oc-note{color:#92400e;font-size:13px}
.oc-actions{display:flex;gap:8px;flex-wrap:wrap;justify-content:flex-end}
.oc-border{position:fixed;inset:0;pointer-events:none;border:4px dashed #f59e0b}
.oc-border.oc-joined{border:4px solid #1d4ed8}
.oc-border.oc-rc{border:4px solid #dc2626}
.oc-backdrop{position:fixed;inset:0;pointer-events:auto;background:rgba(17,24,39,.45);display:flex;align-items:center;justify-content:center;padding:16px}
.oc-dialog{background:#fff;border-radius:10px;max-width:440px;width:100%;padding:18px 20px;box-shadow:0 10px 30px rgba(0,0,0,.35)}
.oc-dialog h2{font-size:18px;margin:0 0 10px}
.oc-dialog p{margin:0 0 12px}
.oc-toast{position:fixed;top:16px;left:50%;transform:translateX(-50%);pointer-events:none;background:#111827;color:#fff;border-radius:20px;padding:8px 16px;box-shadow:0 4px 14px rgba(0,0,0,.3);animation:oc-toast 4s ease forwards}
.oc-error{position:fixed;right:20px;bottom:20px;max-width:320px;pointer-events:auto;background:#fef2f2;border:1px solid #dc2626;border-radius:10px;padding:12px 14px;color:#7f1d1d}
.oc-error h2{font-size:15px;margin:0 0 6px}
.oc-error p{margin:0 0 8px}
@keyframes oc-toast{0%{opacity:0}8%{opacity:1}85%{opacity:1}100%{opacity:0}}
@media (prefers-reduced-motion:reduce){.oc-toast{animation:none}}
`;
