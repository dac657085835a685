// Horizontal bar charts drawn as SVG by this page (no chart library). Drawn at the width
// the chart really has, in CSS pixels, and drawn again when that width changes, so the
// text keeps its size on a 360 px phone and on a 1440 px screen (a scaled viewBox would
// shrink the labels to nothing on a phone). Each row: the label on its own line, the bar
// under it, the amount after the bar. Geometry is set with SVG attributes, never style.

import { h, s, clear } from './dom.js';

const ROW = 44;
const LABEL_Y = 15;
const BAR_Y = 22;
const BAR_H = 14;
const VALUE_ROOM = 96;

function fitText(node, text, width) {
  node.textContent = text;
  if (node.getComputedTextLength() <= width) return;
  // Keep the end of an address ("…aws_instance.web[1]"): it is the part that differs.
  let keep = text.length;
  while (keep > 4) {
    keep -= Math.max(1, Math.floor(keep / 12));
    node.textContent = `…${text.slice(text.length - keep)}`;
    if (node.getComputedTextLength() <= width) return;
  }
}

function draw(figure, svgHolder, rows) {
  const width = Math.floor(svgHolder.clientWidth);
  if (!width) return;
  clear(svgHolder);
  const height = rows.length * ROW + 4;
  const max = Math.max(...rows.map((r) => r.value), 0);
  const svg = s('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': figure.dataset.captionId,
    class: 'chart-svg',
  });
  svgHolder.appendChild(svg);
  const barRoom = Math.max(20, width - VALUE_ROOM);
  rows.forEach((row, i) => {
    const y = i * ROW;
    const barWidth = max > 0 ? Math.max(2, (row.value / max) * barRoom) : 2;
    const label = s('text', { x: 0, y: y + LABEL_Y, class: 'chart-label' });
    const title = s('title', {}, `${row.label}: ${row.text}`);
    const group = s(
      'g',
      { class: 'chart-row', 'data-label': row.label, 'data-value': row.text },
      title,
      label,
      s('rect', { x: 0, y: y + BAR_Y, width: barWidth.toFixed(1), height: BAR_H, rx: 2, class: 'chart-bar' }),
      s('text', { x: (barWidth + 6).toFixed(1), y: y + BAR_Y + BAR_H - 2, class: 'chart-value' }, row.text),
    );
    svg.appendChild(group);
    fitText(label, row.label, width);
  });
}

/**
 * A figure with a caption and one bar per row: rows are [{label, value (a number, for
 * the geometry only), text (the amount as people read it)}], largest first. The figure's
 * accessible name is its caption; the amounts are in the tables of the page as well.
 */
export function barChart(caption, rows, { empty = 'Nothing to chart.' } = {}) {
  const captionId = `chart-${Math.random().toString(36).slice(2)}`;
  const holder = h('div', { class: 'chart-holder' });
  const figure = h(
    'figure',
    { class: 'chart', dataset: { captionId } },
    h('figcaption', { id: captionId }, caption),
    rows.length ? holder : h('p', { class: 'hint' }, empty),
  );
  if (!rows.length) return figure;
  let lastWidth = 0;
  let frame = 0;
  // Drawn in the next frame, not inside the observer's callback: drawing changes the
  // holder's height, which inside the callback would be a resize loop.
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const width = Math.floor(holder.clientWidth);
      if (width && width !== lastWidth) {
        lastWidth = width;
        draw(figure, holder, rows);
      }
    });
  });
  observer.observe(holder);
  figure.stop = () => {
    cancelAnimationFrame(frame);
    observer.disconnect();
  };
  return figure;
}
