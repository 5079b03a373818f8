// Page: the app's place in the URL fragment, focus after a view change, the tab's title.
// Nothing here talks to the network; the fragment never leaves the browser.

const FOCUS_WAIT_MS = 3000;

function readPlace() {
  const place = {};
  const hash = window.location.hash.replace(/^#/, "");
  for (const [k, v] of new URLSearchParams(hash)) place[k] = v;
  return place;
}

function writePlace(place) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(place || {})) if (v) params.set(k, String(v));
  const hash = params.toString();
  const url = window.location.pathname + window.location.search + (hash ? `#${hash}` : "");
  // replaceState: a view change is not a new page to go Back through twice
  if (url !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.replaceState(window.history.state, "", url);
  }
}

/** Focus the element marked data-rw-focus=key once the kernel's view change has reached the
 * page (the widget update and this message race). */
function focusWhenShown(key) {
  const until = performance.now() + FOCUS_WAIT_MS;
  const attempt = () => {
    const target = document.querySelector(`[data-rw-focus="${CSS.escape(key)}"]`);
    if (target && target.getClientRects().length) {
      if (!target.hasAttribute("tabindex") && !target.matches("button, input, select, textarea, a[href]")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: false });
      target.scrollIntoView({ block: "nearest" });
      return;
    }
    if (performance.now() < until) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

function render({ model, el }) {
  el.hidden = true;
  const setTitle = () => { if (model.get("title")) document.title = model.get("title"); };
  const onPlace = () => writePlace(model.get("place"));
  const onMessage = (msg) => { if (msg && msg.kind === "focus") focusWhenShown(msg.key); };
  const onHash = () => model.send({ kind: "arrived", place: readPlace() });
  model.on("change:place", onPlace);
  model.on("change:title", setTitle);
  model.on("msg:custom", onMessage);
  window.addEventListener("hashchange", onHash);
  setTitle();
  model.send({ kind: "arrived", place: readPlace() });
  return () => {
    model.off("change:place", onPlace);
    model.off("change:title", setTitle);
    model.off("msg:custom", onMessage);
    window.removeEventListener("hashchange", onHash);
  };
}

export default { render };
