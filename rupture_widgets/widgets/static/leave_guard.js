// LeaveGuard: while `active`, leaving the page (closing the tab, a reload, another address)
// asks first: the browser's own "Leave site?" dialog (its wording cannot be set).
//
// Voilà's page shuts its kernel down from a `beforeunload` listener, before anyone has
// answered the dialog, so a trainee who chose to stay (to download their work) would find the
// app dead. While active, this listener runs first (capture, on window) and stops Voilà's; if
// the page is then really left (`pagehide`), Voilà's is run after all, so the kernel still
// ends with the page.

function render({ model, el }) {
  el.hidden = true;
  let leaving = false;
  const onBeforeUnload = (event) => {
    if (!model.get("active") || leaving) return;
    event.stopImmediatePropagation();
    event.preventDefault();
    event.returnValue = ""; // older browsers show the dialog only with a return value
  };
  const onPageHide = () => {
    if (!model.get("active") || leaving) return;
    leaving = true;
    window.dispatchEvent(new Event("beforeunload")); // Voilà's own: its kernel shutdown
  };
  const mark = () => { document.body.dataset.rwLeaveGuard = model.get("active") ? "on" : "off"; };
  window.addEventListener("beforeunload", onBeforeUnload, { capture: true });
  window.addEventListener("pagehide", onPageHide);
  model.on("change:active", mark);
  mark();
  return () => {
    window.removeEventListener("beforeunload", onBeforeUnload, { capture: true });
    window.removeEventListener("pagehide", onPageHide);
    model.off("change:active", mark);
  };
}

export default { render };
