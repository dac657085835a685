// Reading a COMPLETED job's result for the views: resources with their cost components
// flattened (subresources indented under a heading, as tfquote's reports show them), cost
// by AWS service, the unknowns and warnings, the price sources; and the diff of two
// estimates, resource by resource, by the same rules as tfquote/costdiff.py, for two jobs
// the API did not diff (a job's own compare_to diff is taken from the API as it is).

import { dec, add, sub, sum, cmp, isZero, money, percent, quantize, ZERO } from './money.js';

// Resource type prefix -> the AWS service people know it as (longest prefix wins);
// the same table as tfquote/reports/model.py, so the page and the reports group alike.
const SERVICES = {
  aws_instance: 'EC2', aws_ebs: 'EBS', aws_eip: 'EC2', aws_autoscaling: 'EC2', aws_launch: 'EC2',
  aws_eks: 'EKS', aws_ecs: 'ECS', aws_db: 'RDS', aws_rds: 'RDS', aws_elasticache: 'ElastiCache',
  aws_dynamodb: 'DynamoDB', aws_nat: 'VPC', aws_vpc: 'VPC', aws_vpn: 'VPC',
  aws_ec2_transit: 'Transit Gateway', aws_lb: 'ELB', aws_alb: 'ELB', aws_elb: 'ELB',
  aws_route53: 'Route 53', aws_lambda: 'Lambda', aws_sqs: 'SQS', aws_sns: 'SNS',
  aws_api_gateway: 'API Gateway', aws_apigatewayv2: 'API Gateway', aws_s3: 'S3', aws_efs: 'EFS',
  aws_cloudwatch: 'CloudWatch', aws_kms: 'KMS', aws_secretsmanager: 'Secrets Manager',
};
const PREFIXES = Object.keys(SERVICES).sort((a, b) => b.length - a.length);

export function serviceOf(type) {
  const value = type || '';
  const prefix = PREFIXES.find((p) => value.startsWith(p));
  if (prefix) return SERVICES[prefix];
  return value.replace(/^aws_/, '') || 'other';
}

function components(entry, depth = 0) {
  const out = [];
  for (const item of entry.costComponents || []) {
    out.push({
      label: String(item.name || ''),
      depth,
      monthlyQuantity: item.monthlyQuantity ?? null,
      unit: String(item.unit || ''),
      price: item.price ?? null,
      monthlyCost: item.monthlyCost ?? null,
      usageBased: Boolean(item.usageBased),
      priceNotFound: Boolean(item.priceNotFound),
      reason: item.priceNotFoundReason || item.quantityUnknownReason || null,
      priceSource: item.priceSource || null,
      priceEffectiveDate: item.priceEffectiveDate || null,
      usageSource: item.usageSource || null,
    });
  }
  for (const subresource of entry.subresources || []) {
    out.push({ label: String(subresource.name || ''), depth, isGroup: true });
    out.push(...components(subresource, depth + 1));
  }
  return out;
}

/** Everything the job view shows, read once from a COMPLETED job. */
export function readEstimate(job) {
  const result = job.result || {};
  const estimate = result.estimate || {};
  const metadata = estimate.metadata || {};
  const projects = estimate.projects || [];
  const resources = [];
  const free = [];
  const unsupported = [];
  const unknowns = [];
  for (const project of projects) {
    const breakdown = project.breakdown || {};
    for (const entry of breakdown.resources || []) {
      const parts = components(entry);
      const resource = {
        name: String(entry.name),
        type: String(entry.resourceType || ''),
        service: serviceOf(entry.resourceType),
        project: String(project.name || ''),
        region: (entry.metadata && entry.metadata.region) || '',
        monthlyCost: entry.monthlyCost ?? null,
        monthly: dec(entry.monthlyCost),
        components: parts,
        usageBased: parts.some((c) => c.usageBased),
      };
      resources.push(resource);
      for (const c of parts) {
        if (c.priceNotFound) unknowns.push({ address: `${resource.name}: ${c.label}`, reason: c.reason || 'price not found', kind: 'price' });
      }
    }
    for (const entry of breakdown.freeResources || []) free.push({ name: String(entry.name), type: String(entry.resourceType || ''), project: String(project.name || '') });
    for (const entry of breakdown.unsupportedResources || []) {
      unsupported.push({ name: String(entry.name), type: String(entry.resourceType || '') });
      unknowns.push({ address: String(entry.name), reason: 'resource type not supported: not priced', kind: 'unsupported' });
    }
  }
  for (const unknown of result.unknowns || []) {
    unknowns.push({ address: String(unknown.address || ''), reason: String(unknown.reason || ''), kind: unknown.kind || '' });
  }
  const warnings = [];
  // As tfquote/reports/model.py warnings_of: the engine's {address, key, message} entries,
  // then the usage files' own warnings (per project when there are several).
  const usage = metadata.usage || {};
  const usageWarnings = [usage, ...(usage.projects || [])].flatMap((part) => part.warnings || []);
  for (const warning of [...(result.warnings || []), ...(metadata.warnings || []), ...usageWarnings]) {
    if (typeof warning === 'string') {
      warnings.push(warning);
      continue;
    }
    const where = ['address', 'key'].filter((k) => warning[k]).map((k) => String(warning[k])).join(': ');
    const message = String(warning.message || warning.reason || '');
    warnings.push(where ? `${where}: ${message}` : message);
  }
  const sources = new Map();
  for (const source of (metadata.catalog && metadata.catalog.sources) || []) {
    sources.set(source.id, { title: source.title || source.id, date: source.effectiveDate || '', url: source.url || '' });
  }
  return {
    total: estimate.totalMonthlyCost ?? '0',
    currency: estimate.currency || 'USD',
    projects: projects.map((p) => ({ name: String(p.name || ''), region: (p.metadata && p.metadata.region) || result.region || '' })),
    resources,
    free,
    unsupported,
    unknowns,
    warnings,
    sources,
    assumptions: metadata.assumptions || [],
    diff: result.diff || null,
    policy: result.policy || null,
  };
}

/** [{label, amount}] of the services with a cost, most expensive first. */
export function costByService(resources) {
  const totals = new Map();
  for (const r of resources) totals.set(r.service, add(totals.get(r.service) || ZERO, r.monthly || ZERO));
  return [...totals.entries()]
    .filter(([, amount]) => cmp(amount, ZERO) > 0)
    .sort((a, b) => cmp(b[1], a[1]) || a[0].localeCompare(b[0]))
    .map(([label, amount]) => ({ label, amount }));
}

export function topResources(resources, n = 10) {
  return resources
    .filter((r) => r.monthly && cmp(r.monthly, ZERO) > 0)
    .sort((a, b) => cmp(b.monthly, a.monthly) || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((r) => ({ label: r.name, amount: r.monthly }));
}

// --- two estimates diffed (tfquote/costdiff.py apply_diff, without plan actions) -------------

const COST_FIELDS = ['hourlyCost', 'monthlyCost', 'monthlyUsageCost'];

function sides(job) {
  const out = [];
  for (const project of ((job.result || {}).estimate || {}).projects || []) {
    const breakdown = project.breakdown || {};
    for (const category of ['resources', 'freeResources', 'unsupportedResources']) {
      for (const entry of breakdown[category] || []) {
        if (entry && typeof entry.name === 'string') out.push({ address: entry.name, project: String(project.name || ''), category, entry });
      }
    }
  }
  return out;
}

function cost(side, field) {
  return side && side.category === 'resources' ? dec(side.entry[field]) : null;
}

function sameCost(a, b) {
  if (a === null || b === null) return a === b;
  return cmp(a, b) === 0;
}

function changed(current, past) {
  if (current.category !== past.category) return true;
  if (COST_FIELDS.some((f) => !sameCost(cost(current, f), cost(past, f)))) return true;
  const shape = (entry) => JSON.stringify((entry.costComponents || []).map((c) => [c.name, c.monthlyQuantity, c.price]));
  return shape(current.entry) !== shape(past.entry);
}

function keyed(list, byProject) {
  const map = new Map();
  for (const side of list) map.set(byProject ? `${side.project}\u0000${side.address}` : side.address, side);
  return map;
}

function duplicates(list) {
  return new Set(list.map((s) => s.address)).size !== list.length;
}

function breakdownTotal(job) {
  return sum((((job.result || {}).estimate || {}).projects || []).map((p) => dec((p.breakdown || {}).totalMonthlyCost)));
}

export function headline(diff, past, summary) {
  const pct = percent(diff, past);
  let ratio = 'new cost';
  if (pct !== null) {
    const rounded = quantize(dec(pct), 0).n; // Decimal.quantize(Decimal(1)): half to even
    ratio = `${rounded > 0n ? '+' : ''}${rounded} %`;
  }
  const parts = [
    `${money(diff, { sign: true })}/month (${ratio})`,
    `${summary.added} resource${summary.added === 1 ? '' : 's'} added`,
    `${summary.removed} removed`,
  ];
  if (summary.changed) parts.push(`${summary.changed} changed`);
  return parts.join(', ');
}

/** The diff of `job` against `base` as tfquote writes result.diff (source "compare_to"). */
export function diffJobs(base, job) {
  const before = sides(base);
  const now = sides(job);
  const byProject = duplicates(before) || duplicates(now);
  const b = keyed(before, byProject);
  const n = keyed(now, byProject);
  const rows = [];
  const counts = { create: 0, delete: 0, update: 0, replace: 0, 'no-op': 0 };
  for (const key of new Set([...n.keys(), ...b.keys()])) {
    const current = n.get(key);
    const past = b.get(key);
    const side = current || past;
    let action;
    if (!current) action = 'delete';
    else if (!past) action = 'create';
    else action = changed(current, past) ? 'update' : 'no-op';
    counts[action] += 1;
    const pastMonthly = cost(past, 'monthlyCost');
    const nowMonthly = cost(current, 'monthlyCost');
    rows.push({
      address: side.address,
      project: side.project,
      resourceType: side.entry.resourceType || null,
      action,
      pastMonthlyCost: pastMonthly,
      monthlyCost: nowMonthly,
      diffMonthlyCost: pastMonthly === null && nowMonthly === null ? null : sub(nowMonthly || ZERO, pastMonthly || ZERO),
    });
  }
  rows.sort((x, y) => (x.project === y.project ? (x.address < y.address ? -1 : x.address > y.address ? 1 : 0) : x.project < y.project ? -1 : 1));
  const pastTotal = breakdownTotal(base);
  const total = breakdownTotal(job);
  const diff = sub(total, pastTotal);
  const summary = {
    added: counts.create,
    removed: counts.delete,
    changed: counts.update + counts.replace,
    replaced: counts.replace,
    unchanged: counts['no-op'],
  };
  return { source: 'page', base_job_id: base.job_id, pastTotal, total, diff, percent: percent(diff, pastTotal), summary, headline: headline(diff, pastTotal, summary), rows };
}

/** The API's own result.diff in the same shape as diffJobs. */
export function apiDiff(diff) {
  return {
    source: diff.source,
    base_job_id: diff.base_job_id || null,
    pastTotal: dec(diff.pastTotalMonthlyCost) || ZERO,
    total: dec(diff.totalMonthlyCost) || ZERO,
    diff: dec(diff.diffTotalMonthlyCost) || ZERO,
    percent: diff.diffPercent ?? null,
    summary: diff.summary || {},
    headline: diff.headline || '',
    rows: (diff.resources || []).map((r) => ({
      address: r.address,
      project: r.project || '',
      resourceType: r.resourceType || null,
      action: r.action,
      pastMonthlyCost: dec(r.pastMonthlyCost),
      monthlyCost: dec(r.monthlyCost),
      diffMonthlyCost: dec(r.diffMonthlyCost),
    })),
  };
}

export { isZero };
