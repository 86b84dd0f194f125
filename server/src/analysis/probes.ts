// Live-data probes: risk findings in pending migrations carry the count that would prove them
// (`data.probe`); the client runs the counts on the database and sends them back; `live` rules turn
// each count into a finding of their own next to the one it counts for.
import type { Probe, ProbeResult, ProbeSpec } from '../protocol';
import type { Finding, Rule } from '../rules/types';

/** The probe a finding asks for, if any. */
export function probeOf(f: Finding): Probe | undefined {
  const p = f.data?.probe as Probe | undefined;
  return p && typeof p === 'object' && typeof p.kind === 'string' ? p : undefined;
}

/** Same operation, same question, same id: a result stays matched while the text around it is edited. */
export function probeId(migration: string, f: Finding, probe: Probe): string {
  return `${migration}|${f.code}|${JSON.stringify(probe)}`;
}

/** The probes of one pending migration's findings. */
export function probeSpecs(migration: string, findings: readonly Finding[]): ProbeSpec[] {
  const out: ProbeSpec[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const probe = probeOf(f);
    if (!probe) continue;
    const id = probeId(migration, f, probe);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, migration, source: f.code, probe });
  }
  return out;
}

/** The `live` rules' findings for a pending migration, from the counts the client reported. */
export function derivedFindings(migration: string, findings: readonly Finding[], results: ReadonlyMap<string, ProbeResult>, rules: readonly Rule[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const probe = probeOf(f);
    if (!probe) continue;
    const result = results.get(probeId(migration, f, probe));
    if (!result) continue;
    for (const rule of rules) {
      if (rule.scope !== 'live' || !rule.live?.sources.includes(f.code)) continue;
      const derived = rule.live.finding(f, probe, result);
      if (derived) out.push(derived);
    }
  }
  return out;
}

/** `12,345 rows` / `1 row`. */
export function rows(n: number, noun = 'row'): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
