// Small stroke icons as inline SVG (no icon font, no emoji font needed). Decorative: aria-hidden;
// the button that holds one carries the label.

const PATHS = {
  menu: ["M4 6h16", "M4 12h16", "M4 18h16"],
  pencil: ["M4 20h4L19 9l-4-4L4 16v4z", "M13.5 6.5l4 4"],
  trash: ["M4 7h16", "M9 7V4h6v3", "M6 7l1 13h10l1-13", "M10 11v6", "M14 11v6"],
  clip: ["M9 12.5l5.5-5.5a2.5 2.5 0 0 1 3.5 3.5L10 18.5a4.2 4.2 0 0 1-6-6L12 4.5"],
  thumbUp: ["M7 11v9H4v-9h3z", "M7 11l4-8c1.4 0 2.5 1.1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.2 6.9A2 2 0 0 1 17.3 20H7"],
  thumbDown: ["M17 13V4h3v9h-3z", "M17 13l-4 8c-1.4 0-2.5-1.1-2.5-2.5V15h-5a2 2 0 0 1-2-2.3l1.2-6.9A2 2 0 0 1 6.7 4H17"],
  close: ["M6 6l12 12", "M18 6L6 18"],
};

const NS = "http://www.w3.org/2000/svg";

export function icon(name) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon");
  for (const d of PATHS[name] || []) {
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** Replaces each `<span data-icon="name">` of the page with its icon. */
export function hydrateIcons(root = document) {
  for (const span of root.querySelectorAll("[data-icon]")) span.replaceWith(icon(span.dataset.icon));
}
