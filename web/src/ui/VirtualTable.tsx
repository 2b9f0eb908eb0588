// A table that renders only the rows in view (plus a few), with spacer rows above and below, so
// 5,000 objects scroll as smoothly as 50. Rows have a fixed height (CSS var --row-h).
import { Component, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  title: string;
  width?: string;
  render(row: T): ComponentChildren;
}

export const ROW_HEIGHT = 34;
const OVERSCAN = 10;

export function VirtualTable<T>(props: {
  rows: T[];
  columns: Column<T>[];
  rowKey(row: T): string;
  label: string;
  empty?: ComponentChildren;
  testId?: string;
}): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = box.current!;
    setHeight(el.clientHeight || 600);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setTop(box.current?.scrollTop ?? 0);
    });
  };

  const n = props.rows.length;
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(n, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const slice = props.rows.slice(first, last);
  return (
    <div class="vt" ref={box} onScroll={onScroll} data-testid={props.testId} data-rows={n} tabIndex={-1}>
      <table aria-label={props.label} aria-rowcount={n + 1}>
        <colgroup>
          {props.columns.map((c) => (
            <col key={c.key} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} scope="col">
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }} />}
          {slice.map((row, i) => (
            <Row key={props.rowKey(row)} row={row} rowKey={props.rowKey(row)} index={first + i + 2} columns={props.columns} />
          ))}
          {last < n && <tr class="spacer" aria-hidden="true" style={{ height: `${(n - last) * ROW_HEIGHT}px` }} />}
        </tbody>
      </table>
      {n === 0 && <div class="empty">{props.empty ?? 'nothing here yet'}</div>}
    </div>
  );
}

/** One row; re-rendered only when its object, position or columns change (not on every scroll frame). */
class Row<T> extends Component<{ row: T; rowKey: string; index: number; columns: Column<T>[] }> {
  override shouldComponentUpdate(next: { row: T; index: number; columns: Column<T>[] }): boolean {
    return next.row !== this.props.row || next.index !== this.props.index || next.columns !== this.props.columns;
  }

  override render(): JSX.Element {
    const { row, rowKey, index, columns } = this.props;
    return (
      <tr class="row" aria-rowindex={index} data-key={rowKey}>
        {columns.map((c) => (
          <td key={c.key}>{c.render(row)}</td>
        ))}
      </tr>
    );
  }
}
