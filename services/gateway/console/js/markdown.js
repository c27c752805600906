// The small Markdown of answers (paragraphs, lists, headings, **bold**, *italic*, `code`, fenced
// code), as DOM nodes. A ```sql fence becomes a collapsible "SQL" block. An unclosed fence (the
// answer is still streaming) is drawn as far as it has come.

import { h } from "./dom.js";

/** Returns {nodes, sql: [sql text…]}; `openSql` says which SQL blocks the reader had opened. */
export function renderMarkdown(text, { openSql = new Set() } = {}) {
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  const nodes = [];
  const sql = [];
  let paragraph = [];
  let list = null;

  const flushParagraph = () => {
    if (paragraph.length) nodes.push(h("p", {}, inline(paragraph.join("\n"))));
    paragraph = [];
  };
  const flushList = () => {
    if (list) nodes.push(list);
    list = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*```\s*([\w+-]*)\s*$/);
    if (fence) {
      flushParagraph();
      flushList();
      const lang = fence[1].toLowerCase();
      const body = [];
      i++;
      while (i < lines.length && !/^\s*```\s*$/.test(lines[i])) body.push(lines[i++]);
      const code = body.join("\n");
      if (lang === "sql") {
        const index = sql.length;
        sql.push(code);
        nodes.push(sqlBlock(code, openSql.has(index), index));
      } else {
        nodes.push(h("pre", {}, h("code", {}, code)));
      }
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const bullet = line.match(/^\s*[-*+]\s+(.*)$/);
    const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
    if (!line.trim()) {
      flushParagraph();
      flushList();
    } else if (heading) {
      flushParagraph();
      flushList();
      nodes.push(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
    } else if (bullet || numbered) {
      flushParagraph();
      const tag = bullet ? "ul" : "ol";
      if (!list || list.tagName.toLowerCase() !== tag) {
        flushList();
        list = h(tag);
      }
      list.append(h("li", {}, inline((bullet || numbered)[1])));
    } else {
      flushList();
      paragraph.push(line);
    }
  }
  flushParagraph();
  flushList();
  return { nodes, sql };
}

export function sqlBlock(code, open = false, index = 0) {
  return h(
    "details",
    { class: "sql", open, dataset: { sqlIndex: String(index) } },
    h("summary", {}, "SQL"),
    h("pre", {}, h("code", { class: "language-sql" }, code)),
  );
}

/** `code`, **bold**, *italic* / _italic_, line breaks. */
function inline(text) {
  const out = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\n)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const [token] = match;
    if (match[1]) out.push(h("code", {}, token.slice(1, -1)));
    else if (match[2]) out.push(h("strong", {}, token.slice(2, -2)));
    else if (match[3]) out.push(h("em", {}, token.slice(1, -1)));
    else out.push(h("br"));
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
