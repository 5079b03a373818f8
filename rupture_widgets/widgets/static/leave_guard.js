// LeaveGuard: while `active`, leaving the page (closing the tab, a reload, another address)
// asks first, with the browser's own "Leave site?" dialog (its wording cannot be set).
//
// The asking is done by the page's first beforeunload listener, in the "rupture" Voilà
// template (server/jupyter/voila/templates/rupture/leave_first.js), which can also keep
// Voilà's kernel shutdown from running when the trainee chooses to stay; this module tells it
// whether to ask. On a page without that template (JupyterLab, another Voilà template) it asks
// by itself; there "Stay" keeps the page but not always its kernel (a reload starts a new one,
// and the work, kept on the server, is still there to download).

function render({ model, el }) {
  el.hidden = true;
  const guard = { active: () => Boolean(model.get("active")) };
  window.ruptureLeaveGuard = guard;
  const ask = (event) => {
    if (!guard.active()) return;
    event.preventDefault();
    event.returnValue = "";
  };
  const own = !window.ruptureLeaveFirst;
  if (own) window.addEventListener("beforeunload", ask);
  const mark = () => { document.body.dataset.rwLeaveGuard = guard.active() ? "on" : "off"; };
  model.on("change:active", mark);
  mark();
  return () => {
    if (window.ruptureLeaveGuard === guard) delete window.ruptureLeaveGuard;
    if (own) window.removeEventListener("beforeunload", ask);
    model.off("change:active", mark);
  };
}

export default { render };
