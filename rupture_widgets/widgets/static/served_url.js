// Where this page's server serves files (Voilà's files route or JupyterLab's), shared by the
// widgets that fetch clip media by URL. Joined before the widget's own module.

/** The URL prefix for served paths; the model's files_url wins when set. */
function filesBase(model) {
  const explicit = model.get("files_url");
  if (explicit) return explicit.endsWith("/") ? explicit : explicit + "/";
  let base = "/";
  const cfg = document.getElementById("jupyter-config-data");
  if (cfg) {
    try { base = JSON.parse(cfg.textContent || "{}").baseUrl || base; } catch (_) { /* keep "/" */ }
  }
  if (!base.endsWith("/")) base += "/";
  // Voilà marks its page body; its files live under {base}voila/files/, JupyterLab's under {base}files/
  return document.body.dataset.voila !== undefined ? `${base}voila/files/` : `${base}files/`;
}

/** A served path (relative to the server's root) as a URL on this page's server. */
function servedUrl(model, path) {
  if (!path) return "";
  if (/^(https?:|blob:|data:|\/)/.test(path)) return path;
  return filesBase(model) + path.split("/").map(encodeURIComponent).join("/");
}
