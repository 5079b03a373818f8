// FileUpload: a button that opens the file chooser; the chosen file is read from the disk a
// piece at a time (File.slice) and sent as binary buffers, each acknowledged by the kernel
// before more than a few are in flight. Nothing is sent anywhere but to the kernel.

const PIECE_BYTES = 1024 * 1024;
const WINDOW = 4;

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "rw-file-upload";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button widget-button rw-upload-button";
  const input = document.createElement("input");
  input.type = "file";
  input.hidden = true;
  input.tabIndex = -1;
  input.setAttribute("aria-hidden", "true");
  box.append(button, input);
  el.appendChild(box);

  let outgoing = null; // {id, file, pieces, sent, acked}
  let count = 0;

  const draw = () => {
    button.textContent = model.get("label");
    input.accept = model.get("accept") || "";
    const waiting = model.get("busy") || outgoing !== null;
    button.disabled = model.get("disabled") || waiting;
    button.setAttribute("aria-busy", waiting ? "true" : "false");
  };

  const sendPiece = () => {
    const up = outgoing;
    if (!up || up.sent >= up.pieces) return;
    const index = up.sent++;
    // read and send one piece after another: reads can finish out of order (a slow first
    // slice), and a piece out of order is refused by the kernel
    up.chain = up.chain.then(async () => {
      const data = await up.file.slice(index * PIECE_BYTES, (index + 1) * PIECE_BYTES).arrayBuffer();
      if (outgoing === up) model.send({ kind: "piece", id: up.id, index }, undefined, [data]);
    }).catch((e) => { // the file changed or went away on the disk meanwhile
      if (outgoing !== up) return;
      model.send({ kind: "unreadable", id: up.id, message: String(e && e.message || e) });
      outgoing = null;
      draw();
    });
  };

  const start = (file) => {
    count += 1;
    outgoing = { id: `u${count}`, file, pieces: Math.ceil(file.size / PIECE_BYTES), sent: 0,
                 acked: 0, chain: Promise.resolve() };
    model.send({ kind: "begin", id: outgoing.id, name: file.name, size: file.size });
    if (outgoing.pieces === 0) model.send({ kind: "end", id: outgoing.id });
    for (let i = 0; i < WINDOW; i++) sendPiece();
    draw();
  };

  const onMessage = (msg) => {
    if (!msg || !outgoing || msg.id !== outgoing.id) return;
    if (msg.kind === "ack") {
      outgoing.acked += 1;
      if (outgoing.acked === outgoing.pieces) {
        const up = outgoing;
        up.chain = up.chain.then(() => model.send({ kind: "end", id: up.id }));
      } else {
        sendPiece();
      }
    } else if (msg.kind === "refused" || msg.kind === "received") {
      outgoing = null;
      draw();
    }
  };

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = ""; // the same file can be chosen again
    if (file) start(file);
  });
  model.on("change:label", draw);
  model.on("change:accept", draw);
  model.on("change:busy", draw);
  model.on("change:disabled", draw);
  model.on("msg:custom", onMessage);
  draw();
  return () => model.off("msg:custom", onMessage);
}

export default { render };
