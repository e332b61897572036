// Time series charts with uPlot (loaded as a classic script, global `uPlot`): one line per series,
// seconds on the x axis. Each chart has a text summary for screen readers and a caption.

import { h } from './dom.js';

// Distinguishable colours with at least 3:1 contrast on white (WCAG non-text contrast).
const palette = ['#1f5fbf', '#b3261e', '#1b7a3d', '#8a4b00', '#6a1b9a', '#00696f', '#5b5b5b', '#a3195b'];

/**
 * A live line chart. `update` takes the x values (epoch ms) and one array per series.
 */
export class LineChart {
  /**
   * @param {{ title: string, unit: string, height?: number }} options
   */
  constructor(options) {
    this.options = options;
    this.summary = h('p', { class: 'visually-hidden' });
    this.plotHost = h('div', { class: 'plot', 'aria-hidden': 'true' });
    this.element = h(
      'figure',
      { class: 'chart' },
      h('figcaption', null, options.title),
      this.plotHost,
      this.summary,
    );
    this.plot = null;
    this.seriesKey = '';
  }

  /**
   * @param {number[]} times epoch ms
   * @param {{ label: string, values: (number|null)[] }[]} series
   */
  update(times, series) {
    const key = series.map((s) => s.label).join('\u0000');
    const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
    const width = Math.max(280, this.plotHost.clientWidth || this.element.clientWidth || 600);
    if (!this.plot || key !== this.seriesKey || Math.abs(this.plot.width - width) > 20) {
      this.plot?.destroy();
      this.seriesKey = key;
      const uPlot = window.uPlot;
      if (!uPlot) return;
      this.plot = new uPlot(
        {
          width,
          height: this.options.height ?? 200,
          legend: { show: true },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
          axes: [
            { stroke: '#333', grid: { stroke: '#e3e3e3' } },
            { stroke: '#333', grid: { stroke: '#e3e3e3' }, label: this.options.unit, size: 60 },
          ],
          series: [
            {},
            ...series.map((s, i) => ({
              label: s.label,
              stroke: palette[i % palette.length],
              width: 2,
              spanGaps: false,
            })),
          ],
        },
        /** @type {any} */ (data),
        this.plotHost,
      );
    } else this.plot.setData(/** @type {any} */ (data));
    const last = series
      .map((s) => `${s.label}: ${s.values.length ? (s.values[s.values.length - 1] ?? 'n/a') : 'no data'}`)
      .join(', ');
    const minutes = times.length > 1 ? Math.round((times[times.length - 1] - times[0]) / 60000) : 0;
    this.summary.textContent = `${this.options.title}, last ${minutes} minute(s), latest ${this.options.unit}: ${last}`;
  }
}
