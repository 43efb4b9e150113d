/**
 * Fifty published experiences of a busy shop: 35 on other pages (URL rules that the benchmark's
 * page does not match, a few of them regexes), 5 banners for everyone on every page, 5 for gold
 * members (a condition on an uploaded attribute), 5 for mobile visitors from the newsletter.
 */
export function fiftyExperiences(): Record<string, unknown>[] {
  const banner = (name: string, extra: Record<string, unknown>) => ({
    name,
    type: 'banner',
    variants: [
      { name: 'a', weight: 50, content: { html: `<p>${name} A for {{membership_level}}</p>` } },
      { name: 'b', weight: 50, content: { html: `<p>${name} B</p>` } },
    ],
    control_weight: 10,
    ...extra,
  });
  const list: Record<string, unknown>[] = [];
  for (let i = 0; i < 35; i++) {
    const rule =
      i % 5 === 0
        ? { op: 'regex', value: `^/category/${i}/[a-z0-9-]+$` }
        : { op: 'starts_with', value: `/landing-${i}` };
    list.push(banner(`page ${i}`, { pages: { rules: [rule] } }));
  }
  for (let i = 0; i < 5; i++) list.push(banner(`everyone ${i}`, { priority: i }));
  for (let i = 0; i < 5; i++) {
    list.push(
      banner(`gold ${i}`, { target: { condition: { attr: 'membership_level', op: 'eq', value: 'gold' } } }),
    );
  }
  for (let i = 0; i < 5; i++) {
    list.push(
      banner(`newsletter ${i}`, {
        target: {
          condition: {
            all: [
              { visit: 'device_type', op: 'eq', value: 'mobile' },
              { visit: 'utm_source', op: 'eq', value: 'newsletter' },
            ],
          },
        },
      }),
    );
  }
  return list;
}
