/**
 * A self-contained HTML page from gradflow's Markdown reports: headings, paragraphs, lists,
 * pipe tables, bold, code, links, and images embedded as data URIs (so the page has no
 * external files). Only the Markdown subset gradflow writes is supported; text is escaped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function inline(text: string, baseDir: string): string {
  let s = escape(text);
  s = s.replace(/!\[([^\]]*)\]\(([^)]+)\)/g, (_m, alt: string, src: string) => {
    const path = join(baseDir, src);
    if (!src.endsWith('.png') || !existsSync(path)) return alt;
    return `<img alt="${alt}" src="data:image/png;base64,${readFileSync(path).toString('base64')}">`;
  });
  s = s.replace(/\[([^\]]+)\]\(([^)]+)\)/g, (_m, label: string, href: string) => (href.endsWith('.md') ? `<a href="#${anchor(href)}">${label}</a>` : label));
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>');
  return s.replace(/\\(&lt;|&gt;|&amp;)/g, '$1'); // Markdown backslash escapes of user text
}

export const anchor = (path: string): string => path.replace(/[^A-Za-z0-9]+/g, '-');

/** Converts one Markdown document (images resolved relative to `baseDir`). */
export function markdownToHtml(md: string, baseDir: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const h = /^(#{1,4})\s+(.*)$/.exec(line);
    if (h) { out.push(`<h${h[1].length}>${inline(h[2], baseDir)}</h${h[1].length}>`); continue; }
    if (line.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i].startsWith('|')) {
        const cells = lines[i].slice(1, lines[i].endsWith('|') ? -1 : undefined).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
        if (!cells.every((c) => /^:?-+:?$/.test(c))) rows.push(cells);
        i++;
      }
      i--;
      out.push('<table>');
      rows.forEach((r, k) => out.push(`<tr>${r.map((c) => (k === 0 ? `<th>${inline(c, baseDir)}</th>` : `<td>${inline(c, baseDir)}</td>`)).join('')}</tr>`)); // no spread: tables may be long
      out.push('</table>');
      continue;
    }
    if (/^\s*- /.test(line)) {
      out.push('<ul>');
      while (i < lines.length && /^\s*- /.test(lines[i])) { out.push(`<li>${inline(lines[i].replace(/^\s*- /, ''), baseDir)}</li>`); i++; }
      i--;
      out.push('</ul>');
      continue;
    }
    if (line.trim() !== '') out.push(`<p>${inline(line, baseDir)}</p>`);
  }
  return out.join('\n');
}

/** One page: the index document followed by every report it links to, images inlined. */
export function selfContainedHtml(title: string, indexPath: string): string {
  const dir = dirname(indexPath);
  const index = readFileSync(indexPath, 'utf8');
  const linked = [...new Set([...index.matchAll(/\]\(([^)]+\.md)\)/g)].map((m) => m[1]))];
  const sections = linked.filter((rel) => existsSync(join(dir, rel))).map((rel) => {
    const path = join(dir, rel);
    return `<section id="${anchor(rel)}">${markdownToHtml(readFileSync(path, 'utf8'), dirname(path))}</section>`;
  });
  return [
    '<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${escape(title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}img{max-width:100%}section{border-top:2px solid #444;margin-top:2em}code{background:#f4f4f4}</style>',
    '</head><body>', markdownToHtml(index, dir), ...sections, '</body></html>',
  ].join('\n');
}
