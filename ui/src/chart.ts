/**
 * A small uPlot chart of the numeric series nodes report (`ctx.metric`): loss curves and the like. One
 * line per node and name, x = step. Hidden until a series exists.
 */
import uPlot from 'uplot';
import type { MetricSeries } from './run-state.js';

const COLORS = ['#ff7043', '#42a5f5', '#66bb6a', '#ffca28', '#ab47bc', '#26c6da', '#ec407a', '#8d6e63'];

/** Merges series on the union of their steps (uPlot wants one x array). */
function aligned(series: MetricSeries[]): uPlot.AlignedData {
  const steps = [...new Set(series.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const columns = series.map((s) => {
    const at = new Map(s.steps.map((step, i) => [step, s.values[i]]));
    return steps.map((step) => at.get(step) ?? null);
  });
  return [steps, ...columns] as uPlot.AlignedData;
}

/**
 * @example const chart = new MetricChart(document.getElementById('chart')!); chart.update([...view.metrics.values()]);
 */
export class MetricChart {
  private plot: uPlot | undefined;
  private keys = '';

  constructor(private readonly host: HTMLElement) {}

  update(series: MetricSeries[]): void {
    const panel = this.host.closest('.panel') as HTMLElement | null;
    if (panel) panel.hidden = series.length === 0;
    if (!series.length) {
      this.plot?.destroy();
      this.plot = undefined;
      this.keys = '';
      return;
    }
    const keys = series.map((s) => `${s.node}:${s.name}`).join('|');
    const data = aligned(series);
    if (this.plot && keys === this.keys) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.keys = keys;
    const width = Math.max(200, this.host.clientWidth || 300);
    this.plot = new uPlot(
      {
        width,
        height: 180,
        legend: { show: true },
        scales: { x: { time: false } },
        axes: [
          { stroke: '#aaa', grid: { stroke: '#333' }, ticks: { stroke: '#444' } },
          { stroke: '#aaa', grid: { stroke: '#333' }, ticks: { stroke: '#444' }, size: 50 },
        ],
        series: [{ label: 'step' }, ...series.map((s, i) => ({ label: `${s.node} ${s.name}`, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
      },
      data,
      this.host,
    );
  }
}
