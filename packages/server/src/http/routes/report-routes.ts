import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { groupPersons } from '../../groups/group-view.js';
import { breakdownReport, type ReportGroup } from '../../reports/breakdown-report.js';
import { crossDeviceReport } from '../../reports/cross-device-report.js';
import {
  type BreakdownBody,
  MAX_REPORT_DAYS,
  REPORT_METRICS,
  type ReportRefusal,
  readBreakdownRequest,
  readCrossDeviceRequest,
} from '../../reports/report-request.js';
import { findGroup } from '../../storage/group-repository.js';
import type { AppContext } from '../app-context.js';
import { breakdownAnswer, crossDeviceAnswer, documentedAsSent } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const instant = {
  type: 'string',
  minLength: 1,
  maxLength: 40,
  description:
    'ISO date or date-time; without a zone it is wall-clock time in the project\'s `timezone` (`"2026-11-01"` is midnight there).',
} as const;

const breakdownBody = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'breakdown', 'from', 'to'],
  properties: {
    metric: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { type: 'string', enum: REPORT_METRICS },
        event: {
          type: 'string',
          minLength: 1,
          maxLength: 200,
          description: 'For event_count and conversion_rate.',
        },
      },
    },
    breakdown: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'Exactly one of `attr`, `groups` (group ids; a row per group), `device_type`.',
      properties: {
        attr: { type: 'string', minLength: 1, maxLength: 128 },
        groups: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: { type: 'string', minLength: 1, maxLength: 64 },
        },
        device_type: { type: 'boolean', enum: [true] },
      },
    },
    from: instant,
    to: instant,
    interval: { type: 'string', enum: ['day', 'week'] },
  },
} as const;

/** Behaviour reports (DESIGN §4): they only read, so they run while ingestion is behind. */
export async function reportRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  /** The groups of a groups breakdown with their members; an id the project lacks is refused. */
  const reportGroups = async (projectId: string, groupIds: string[]): Promise<ReportGroup[]> => {
    const persons = await groupPersons(context.store.db, projectId, Date.now());
    const found: ReportGroup[] = [];
    for (const [index, id] of groupIds.entries()) {
      const group = await findGroup(context.store.db, projectId, id);
      if (!group) {
        throw new RequestError(
          'UNKNOWN_GROUP',
          `group "${id}" does not exist in this project`,
          {},
          `/breakdown/groups/${index}`,
        );
      }
      found.push({ id: group.id, name: group.name, personIds: persons(group).select('p.id') });
    }
    return found;
  };

  app.post(
    '/api/reports/breakdown',
    {
      config: { readOnly: true },
      ...documentedAsSent,
      schema: {
        tags: ['reports'],
        security: [{ apiKey: ['query'] }],
        summary: 'Visitors, sessions, page views, an event or its conversion rate, broken down',
        description: `Counts the persons with at least one event in [from, to) (all their devices as one, events before sign-in included, crawlers left out), by an attribute's value read through its type, or by device type. At most 50 rows by visitors; the rest are summed in \`other\`. \`interval\` adds a day or week series (weeks start on Monday) in the project's time zone. A range spans at most ${MAX_REPORT_DAYS} days. An attribute no one holds puts every visitor in the row of key null, with a warning.`,
        body: breakdownBody,
        response: { 200: breakdownAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const read = readBreakdownRequest(request.body as BreakdownBody, project.timezone);
      if (!read.ok) throw refusal(read);
      const { breakdown } = read.request;
      const groups = breakdown.kind === 'groups' ? await reportGroups(project.id, breakdown.groupIds) : [];
      return breakdownReport(context.store.db, project.id, read.request, groups);
    },
  );

  app.post(
    '/api/reports/cross-device',
    {
      config: { readOnly: true },
      ...documentedAsSent,
      schema: {
        tags: ['reports'],
        security: [{ apiKey: ['query'] }],
        summary: 'How identified visitors move between devices before they convert',
        description:
          "The share of identified visitors of [from, to) who used 2 or more devices in it; the device-type paths (in order of each device's first event) before each visitor's first `event` (without `event`: every visitor's devices); first-touch and last-touch counts by the source (UTM source, else referrer host, else `direct`) of the first and last session across devices before the `event`.",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: { from: instant, to: instant, event: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: crossDeviceAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const read = readCrossDeviceRequest(
        request.body as { from: string; to: string; event?: string },
        project.timezone,
      );
      if (!read.ok) throw refusal(read);
      return crossDeviceReport(context.store.db, project.id, read.request);
    },
  );
}

function refusal(refused: ReportRefusal): RequestError {
  return new RequestError(refused.code, refused.message, {}, refused.pointer);
}
