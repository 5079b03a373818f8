// The first beforeunload listener of the page (index.html.j2 puts this in the head, before any
// of Voilà's scripts): docs/decisions.md #34. Voilà's page ends its kernel from its own
// beforeunload listener, which runs whatever the person then answers to a "Leave site?"
// dialog; a trainee who chose "Stay" to download their work would find the app dead. Listeners
// on window run in the order they were added (capture or not), so only one added first can
// stop Voilà's: while the practice app's reminder is on (widgets/static/leave_guard.js sets
// window.ruptureLeaveGuard), this one asks and stops the others; if the page is then really
// left (pagehide), Voilà's listener is run after all, so the kernel still ends with the page.
(() => {
  let leaving = false;
  const holding = () => !leaving && window.ruptureLeaveGuard && window.ruptureLeaveGuard.active();
  window.ruptureLeaveFirst = true;
  window.addEventListener("beforeunload", (event) => {
    if (!holding()) return;
    event.stopImmediatePropagation();
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when a value is returned
  });
  window.addEventListener("pagehide", () => {
    if (!holding()) return;
    leaving = true;
    window.dispatchEvent(new Event("beforeunload")); // Voilà's own: its kernel's shutdown
  });
})();
