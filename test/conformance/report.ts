// The upstream ConformanceReport (conformance/apis/v1, gateway.networking.k8s.io/v1) for the
// GATEWAY-HTTP profile, built from test outcomes. Pure.
//   A test is Core when all its features are Core features; otherwise Extended. Provisional tests
//   are not counted (their successes are listed in succeededProvisionalTests, as upstream does).
//   result: success when nothing failed; failure when something failed (core), partial when an
//   extended test failed or was skipped for a reason other than an unsupported feature.
import { stringify } from 'yaml';

export const CORE_FEATURES = ['Gateway', 'HTTPRoute', 'ReferenceGrant'];

export type Outcome = { state: 'passed' } | { state: 'failed'; reason: string } | { state: 'skipped'; reason: string };

export interface TestResult {
  name: string;
  features: string[];
  provisional?: boolean;
  outcome: Outcome;
}

export interface ReportInput {
  date: string;
  version: string;
  gatewayAPIVersion: string;
  supportedFeatures: string[];
  /** every extended feature of the profile (for unsupportedFeatures) */
  profileExtendedFeatures: string[];
  results: TestResult[];
}

export const isCore = (features: string[]) => features.every((f) => CORE_FEATURES.includes(f));

interface Status {
  result: 'success' | 'partial' | 'failure';
  statistics: { Passed: number; Failed: number; Skipped: number };
  skippedTests?: string[];
  failedTests?: string[];
}

function status(results: TestResult[], failedIs: 'failure' | 'partial'): Status {
  const passed = results.filter((r) => r.outcome.state === 'passed');
  const failed = results.filter((r) => r.outcome.state === 'failed');
  const skipped = results.filter((r) => r.outcome.state === 'skipped');
  const s: Status = { result: failed.length ? failedIs : 'success', statistics: { Passed: passed.length, Failed: failed.length, Skipped: skipped.length } };
  if (skipped.length) s.skippedTests = skipped.map((r) => r.name).sort();
  if (failed.length) s.failedTests = failed.map((r) => r.name).sort();
  return s;
}

export function buildReport(input: ReportInput): Record<string, unknown> {
  const counted = input.results.filter((r) => !r.provisional);
  const core = status(
    counted.filter((r) => isCore(r.features)),
    'failure',
  );
  const extendedResults = counted.filter((r) => !isCore(r.features));
  const ext = status(extendedResults, 'partial');
  const supported = input.supportedFeatures.filter((f) => !CORE_FEATURES.includes(f)).sort();
  const unsupported = input.profileExtendedFeatures.filter((f) => !input.supportedFeatures.includes(f)).sort();
  const summary = `Core tests ${core.result === 'success' ? 'succeeded' : 'failed'} with ${core.statistics.Passed} test passes. Extended tests ${ext.result === 'success' ? 'succeeded' : 'partially succeeded'} with ${ext.statistics.Passed} test passes.`;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    implementation: {
      organization: 'apoxy',
      project: 'switchyard',
      url: 'https://github.com/apoxy-dev/switchyard',
      version: input.version,
      contact: ['@apoxy-dev/maintainers'],
    },
    date: input.date,
    gatewayAPIVersion: input.gatewayAPIVersion,
    gatewayAPIChannel: 'standard',
    mode: 'default',
    profiles: [
      {
        name: 'GATEWAY-HTTP',
        summary,
        core,
        extended: { ...ext, supportedFeatures: supported, unsupportedFeatures: unsupported },
      },
    ],
    succeededProvisionalTests: input.results
      .filter((r) => r.provisional && r.outcome.state === 'passed')
      .map((r) => r.name)
      .sort(),
  };
}

/** the report as YAML, with the reason of every skipped or failed test in a trailing comment */
export function reportYAML(input: ReportInput): string {
  const notes = input.results
    .filter((r) => r.outcome.state !== 'passed')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => `#   ${r.outcome.state === 'failed' ? 'FAILED ' : 'skipped'} ${r.name}${r.provisional ? ' (provisional)' : ''}: ${(r.outcome as { reason: string }).reason.split('\n')[0]!.slice(0, 200)}`);
  return `${stringify(buildReport(input))}${notes.length ? `# Tests not passed, and why:\n${notes.join('\n')}\n` : ''}`;
}
