import { CONTROL, type Experience } from './experience.js';
import { matchesUrlRule } from './url-rules.js';

/** An event of the report, resolved to its person. */
export interface ReportInputEvent {
  personId: number;
  name: string | null;
  timestamp: number;
  url: string | null;
  properties: Record<string, unknown>;
}

export interface VariantReport {
  name: string;
  users: number;
  impressions: number;
  clicks: number;
  dismissals: number;
  conversions: number;
  conversion_rate: number;
  lift?: number;
  lift_ci95?: [number, number];
}

const Z95 = 1.959963984540054;

/**
 * The report of an experience (DESIGN §4): per variant and the control.
 *
 * strategy: from the experience events naming this experience, count impressions, clicks and
 * dismissals per variant and note each person's first impression of each variant (users = persons
 * with one). A conversion is a person with a goal event (or a page view matching the goal's URL
 * rule) after that first impression; conversion_rate = conversions / users. Lift is
 * rate / control_rate − 1; its 95% interval is the Katz log interval of the risk ratio
 * (exp(ln RR ± 1.96·√(1/x₁ − 1/n₁ + 1/x₀ − 1/n₀)) − 1), given when both arms have a conversion.
 */
export function experienceReport(
  experience: Experience,
  experienceEvents: readonly ReportInputEvent[],
  goalEvents: readonly ReportInputEvent[],
): { variants: VariantReport[] } {
  const names = [...experience.variants.map((v) => v.name), CONTROL];
  const arms = new Map(
    names.map((name) => [
      name,
      { impressions: 0, clicks: 0, dismissals: 0, firstSeen: new Map<number, number>() },
    ]),
  );
  for (const event of experienceEvents) {
    if (event.properties.experience_id !== experience.id) continue;
    const arm = arms.get(String(event.properties.variant));
    if (!arm) continue;
    if (event.name === '$experience_impression') {
      arm.impressions++;
      const first = arm.firstSeen.get(event.personId);
      if (first === undefined || event.timestamp < first) arm.firstSeen.set(event.personId, event.timestamp);
    } else if (event.name === '$experience_click') arm.clicks++;
    else if (event.name === '$experience_dismiss') arm.dismissals++;
  }
  const goal = experience.goal;
  const reached = goalEvents.filter(
    (event) => goal && ('event' in goal || (event.url !== null && matchesUrlRule(goal.url_rule, event.url))),
  );
  const rows = names.map((name): VariantReport => {
    const arm = arms.get(name) ?? { impressions: 0, clicks: 0, dismissals: 0, firstSeen: new Map() };
    const converted = new Set(
      reached
        .filter((event) => {
          const first = arm.firstSeen.get(event.personId);
          return first !== undefined && event.timestamp > first;
        })
        .map((event) => event.personId),
    );
    const users = arm.firstSeen.size;
    return {
      name,
      users,
      impressions: arm.impressions,
      clicks: arm.clicks,
      dismissals: arm.dismissals,
      conversions: converted.size,
      conversion_rate: users === 0 ? 0 : converted.size / users,
    };
  });
  const control = rows[rows.length - 1];
  for (const row of rows.slice(0, -1)) Object.assign(row, lift(row, control));
  return { variants: rows };
}

/** Lift over the control and its Katz 95% interval; nothing when the control has no conversion. */
export function lift(
  arm: Pick<VariantReport, 'users' | 'conversions'>,
  control: Pick<VariantReport, 'users' | 'conversions'>,
): Pick<VariantReport, 'lift' | 'lift_ci95'> {
  if (control.users === 0 || control.conversions === 0 || arm.users === 0) return {};
  const ratio = arm.conversions / arm.users / (control.conversions / control.users);
  if (arm.conversions === 0) return { lift: ratio - 1 };
  const se = Math.sqrt(1 / arm.conversions - 1 / arm.users + 1 / control.conversions - 1 / control.users);
  const log = Math.log(ratio);
  return { lift: ratio - 1, lift_ci95: [Math.exp(log - Z95 * se) - 1, Math.exp(log + Z95 * se) - 1] };
}
