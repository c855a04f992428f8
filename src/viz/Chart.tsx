/** A small live line chart (uPlot): train and validation curves over epochs. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  /** [x, y] points; x in epochs. */
  points: [number, number][];
  dash?: boolean;
}

export function Chart({
  title,
  series,
  height = 130,
  testid,
  percent = false,
  tick,
}: {
  title: string;
  series: Series[];
  height?: number;
  testid: string;
  percent?: boolean;
  /** How a value of the y axis is written (default: 2 decimals, or a percentage). */
  tick?: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // uPlot wants one x array shared by all series: merge them (missing values are null).
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const data: uPlot.AlignedData = [
    xs,
    ...series.map((s) => {
      const m = new Map(s.points.map((p) => [p[0], p[1]]));
      return xs.map((x) => m.get(x) ?? null);
    }),
  ];

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      legend: { show: false },
      cursor: { show: true },
      scales: { x: { time: false } },
      axes: [
        { label: 'epoch', size: 28, font: '10px sans-serif', labelFont: '10px sans-serif' },
        { size: 42, font: '10px sans-serif', values: (_u, v) => v.map((x) => (tick ? tick(x) : percent ? `${Math.round(x * 100)}%` : x.toFixed(2))) },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, dash: s.dash ? [4, 3] : undefined, spanGaps: true, points: { show: s.dash ?? false, size: 5 } }))],
    };
    plot.current = new uPlot(opts, data, el);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Recreate only when the set of series changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series.length, height, percent]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure className="ll-chart" data-testid={testid} data-points={xs.length} data-last={series[0]?.points.at(-1)?.[1]}>
      <figcaption>
        {title}
        {series.map((s) => (
          <span key={s.label} className="ll-chart-key">
            {/* The series colour on a line sample, the label in text colour (readable on white). */}
            <span className="ll-chart-swatch" aria-hidden="true" style={{ borderTopColor: s.color, borderTopStyle: s.dash ? 'dashed' : 'solid' }} />
            {s.label}
          </span>
        ))}
      </figcaption>
      <div ref={box} />
    </figure>
  );
}
