// Recorder, part 2 of 6: everything sent to the kernel, in order.
//
// Blob.arrayBuffer() is async, so every send is chained on one promise: otherwise the "stop"
// message could overtake the last chunk. A failed send is reported but never blocks the ones
// after it. Each message carries the view's id: a widget shown twice has two views, and the
// kernel takes chunks from the view that started.

/**
 * @param {AnyModel} model
 * @param {string} viewId
 * @param {() => boolean} closed  true once the view is gone: nothing more is sent
 */
function createUplink(model, viewId, closed) {
  let chain = Promise.resolve();
  function enqueue(step) {
    chain = chain.then(step).catch((err) => console.warn("[rupture recorder] send failed", err));
  }
  return {
    /** A new answer starts a new chain. */
    restart() { chain = Promise.resolve(); },
    send(msg, buffers) {
      enqueue(() => { if (!closed()) model.send({ ...msg, view: viewId }, undefined, buffers || []); });
    },
    /** One MediaRecorder chunk, as a binary buffer (never base64). */
    sendChunk(seq, blob) {
      enqueue(async () => {
        const buf = await blob.arrayBuffer();
        if (!closed()) model.send({ kind: "chunk", seq, view: viewId }, undefined, [buf]);
      });
    },
    /** Out of band, for a view that is closing: the chain may never run again. */
    sendNow(msg) { model.send({ ...msg, view: viewId }); },
  };
}
