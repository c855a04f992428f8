import type { Diagnostic } from '../graph/types';

/** A node's problems, as the inspector lists them (also for block nodes). */
export function DiagnosticList({ diagnostics }: { diagnostics: readonly Diagnostic[] }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="ll-diagnostics">
      {diagnostics.map((d, i) => (
        <li key={i} className={d.severity} data-testid="inspector-diagnostic">
          {d.message}
        </li>
      ))}
    </ul>
  );
}
