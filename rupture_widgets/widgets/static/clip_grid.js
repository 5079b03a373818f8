// ClipGrid: the library as poster cards, grouped by level, the recommended clip first.
// Joined after served_url.js. Every text comes from the catalog or the workbook and is set as
// textContent, never as HTML.

function clock(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function card(model, c, { featured = false, reason = "" } = {}) {
  const item = el(featured ? "div" : "li", featured ? "rw-clip-card rw-featured" : "rw-clip-card");
  item.dataset.clip = c.id;
  const poster = el("img", "rw-clip-poster");
  poster.alt = ""; // decorative: the title and details below say what the clip is
  poster.loading = "lazy";
  poster.decoding = "async";
  if (c.poster) poster.src = servedUrl(model, c.poster);
  const length = el("span", "rw-clip-length", clock(c.duration_s));
  length.setAttribute("aria-label", `${clock(c.duration_s)} long`);
  const figure = el("div", "rw-clip-figure");
  figure.append(poster, length);
  const body = el("div", "rw-clip-body");
  const title = el(featured ? "h3" : "h4", "rw-clip-title", c.title);
  const meta = el("p", "rw-clip-meta", `${c.marker} ${c.marker_label} · ${c.level_label} · ${c.persona}`);
  const context = el("p", "rw-clip-context", c.context);
  const practised = el("p", "rw-clip-practised", c.practised === 0 ? "Not practised yet"
    : `Practised ${c.practised} time${c.practised === 1 ? "" : "s"}`);
  if (c.new_feedback) {
    practised.append(" · ", el("strong", "rw-new", "New feedback"));
  }
  body.append(title, meta);
  if (reason) body.append(el("p", "rw-clip-reason", reason));
  body.append(context, practised);
  const go = el("button", "rw-button rw-primary rw-clip-go", featured ? "Practise this clip" : "Practise");
  go.type = "button";
  // the name holds the visible label (WCAG 2.5.3) and says which clip; the recommended card's
  // differs from its copy further down, so each name picks one button
  go.setAttribute("aria-label", featured ? `Practise this clip: ${c.title}` : `Practise: ${c.title}`);
  go.addEventListener("click", () => model.send({ kind: "pick", clip: c.id }));
  body.append(go);
  item.append(figure, body);
  return item;
}

function render({ model, el: host }) {
  const root = el("div", "rw-clip-grid");
  host.appendChild(root);

  function draw() {
    root.replaceChildren();
    const rec = model.get("recommended") || {};
    if (rec.card) {
      const box = el("section", "rw-recommended");
      box.setAttribute("aria-labelledby", "rw-recommended-heading");
      const h = el("h3", "rw-section-title", "Recommended next");
      h.id = "rw-recommended-heading";
      box.append(h, card(model, rec.card, { featured: true, reason: rec.reason || "" }));
      root.append(box);
    }
    const sections = model.get("sections") || [];
    if (!sections.some((s) => s.cards.length)) {
      root.append(el("p", "rw-empty", "No clips match these filters. Choose “All” in one of them."));
      return;
    }
    for (const s of sections) {
      if (!s.cards.length) continue;
      const section = el("section", "rw-level-section");
      const id = `rw-level-${s.level}`;
      section.setAttribute("aria-labelledby", id);
      const h = el("h3", "rw-section-title", `${s.label} (${s.cards.length} clip${s.cards.length === 1 ? "" : "s"})`);
      h.id = id;
      const list = el("ul", "rw-clip-list");
      for (const c of s.cards) list.append(card(model, c));
      section.append(h, list);
      root.append(section);
    }
  }

  model.on("change:sections", draw);
  model.on("change:recommended", draw);
  draw();
  return () => {
    model.off("change:sections", draw);
    model.off("change:recommended", draw);
  };
}

export default { render };
