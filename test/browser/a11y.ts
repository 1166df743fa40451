/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on an element and fails with a readable list of
 * violations: rule, impact, and where.
 */
import { expect } from '@open-wc/testing';

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: unknown[]; html: string; failureSummary?: string }>;
}
interface Axe {
  run(context: Element | Document, options: object): Promise<{ violations: AxeViolation[] }>;
}

async function loadAxe(): Promise<Axe> {
  const w = window as unknown as { axe?: Axe };
  if (!w.axe) await import('axe-core/axe.min.js');
  return w.axe!;
}

export async function expectAccessible(context: Element | Document = document): Promise<void> {
  const axe = await loadAxe();
  const { violations } = await axe.run(context, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  });
  const report = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `   at ${JSON.stringify(n.target)} ${n.html}: ${n.failureSummary ?? ''}`).join('\n')}`,
  );
  expect(report, report.join('\n')).to.deep.equal([]);
}
