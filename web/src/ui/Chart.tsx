// Small time-series charts on uPlot (canvas, ~50 KB): one per figure, updated in place.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: Array<number | null>;
}

export function Chart(props: { title: string; x: number[]; series: ChartSeries[]; unit?: string; width?: number; height?: number; testId?: string }): JSX.Element {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const width = props.width ?? 260;
  const height = props.height ?? 90;
  const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
  const points = props.series[0]?.values.filter((v) => v !== null && v !== 0).length ?? 0;
  const shape = props.series.map((s) => `${s.label}:${s.values.includes(null)}`).join('|');

  useEffect(() => {
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      cursor: { points: { size: 5 } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { show: true, size: 18, font: '10px system-ui, sans-serif', stroke: '#6b7280', grid: { show: false }, ticks: { size: 3 }, space: 60 },
        { show: true, size: 38, font: '10px system-ui, sans-serif', stroke: '#6b7280', grid: { stroke: '#eef0f3', width: 1 }, ticks: { show: false }, space: 20 },
      ],
      // a series with gaps (no request in a bucket) shows its points, so a lone bucket is visible
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, fill: s.color + '22', spanGaps: false, points: { show: s.values.includes(null), size: 4, fill: s.color } }))],
    };
    plot.current = new uPlot(opts, data, el.current!);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // rebuilt only when the shape changes; data updates go through setData below
  }, [shape, width, height]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure class="chart" data-testid={props.testId} data-points={points}>
      <figcaption>
        {props.title}
        {props.series.length > 1 && (
          <span class="legend">
            {props.series.map((s) => (
              <span key={s.label}>
                <i style={{ background: s.color }} />
                {s.label}
              </span>
            ))}
          </span>
        )}
      </figcaption>
      <div ref={el} role="img" aria-label={`${props.title}: ${points} buckets with data over the last 15 minutes`} />
    </figure>
  );
}
