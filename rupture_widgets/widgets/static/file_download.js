// FileDownload: a button; the kernel's file arrives in pieces (each acknowledged, so only a
// few are in flight) and is saved by the browser itself: a Blob, an object URL, <a download>.
// Nothing is fetched from anywhere. If the browser did not keep the file (it may block a
// download that follows a click by too long), pressing the button again makes it again.

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "rw-file-download";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button widget-button rw-download-button";
  box.append(button);
  el.appendChild(box);

  let incoming = null; // {id, name, size, pieces, mime_type, parts: [], got}
  let url = null;

  const draw = () => {
    button.textContent = model.get("label");
    const waiting = model.get("busy") || incoming !== null;
    button.disabled = model.get("disabled") || waiting;
    button.setAttribute("aria-busy", waiting ? "true" : "false");
  };

  const save = () => {
    const blob = new Blob(incoming.parts, { type: incoming.mime_type || "application/octet-stream" });
    if (blob.size !== incoming.size) {
      model.send({ kind: "failed", id: incoming.id,
                   message: `${blob.size} of ${incoming.size} bytes arrived` });
      return;
    }
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = incoming.name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    const made = url; // the save has begun; the bytes are let go a minute later
    setTimeout(() => { URL.revokeObjectURL(made); if (url === made) url = null; }, 60_000);
    model.send({ kind: "saved", id: incoming.id, name: incoming.name, size: blob.size });
  };

  const onMessage = (msg, buffers) => {
    if (!msg) return;
    if (msg.kind === "begin") {
      incoming = { ...msg, parts: new Array(msg.pieces), got: 0 };
      if (msg.size === 0) { incoming.parts = []; save(); incoming = null; }
    } else if (msg.kind === "piece" && incoming && msg.id === incoming.id && buffers && buffers[0]) {
      const b = buffers[0];
      incoming.parts[msg.index] = b instanceof DataView ? b : new DataView(b.buffer || b);
      incoming.got += 1;
      model.send({ kind: "ack", id: msg.id, index: msg.index });
      if (incoming.got === incoming.pieces) {
        try { save(); } catch (e) { model.send({ kind: "failed", id: msg.id, message: String(e) }); }
        incoming = null;
      }
    } else if (msg.kind === "cancel" && incoming && msg.id === incoming.id) {
      incoming = null;
    }
    draw();
  };

  button.addEventListener("click", () => model.send({ kind: "request" }));
  model.on("change:label", draw);
  model.on("change:busy", draw);
  model.on("change:disabled", draw);
  model.on("msg:custom", onMessage);
  draw();
  return () => {
    model.off("msg:custom", onMessage);
    if (url) URL.revokeObjectURL(url);
  };
}

export default { render };
