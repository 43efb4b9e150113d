import { guard } from './debug-log.js';
import { setReferrer } from './page-context.js';

const withoutHash = (url: string) => url.split('#')[0];

/**
 * Sends a page view now and after each single-page-app navigation.
 *
 * strategy: wrap history.pushState and replaceState and listen to popstate (back / forward).
 * A navigation is a new page only when the URL without its #hash changed, so the same-URL
 * replaceState calls routers make and in-page anchors add none. The previous URL becomes the
 * referrer. The view is sent on the next tick, once the router has had a chance to set the title.
 */
export function trackPageViews(sendPageView: () => void): void {
  let current = location.href;
  const onNavigation = () =>
    setTimeout(
      guard(() => {
        if (withoutHash(location.href) === withoutHash(current)) return;
        setReferrer(current);
        current = location.href;
        sendPageView();
      }),
    );
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      onNavigation();
      return result;
    };
  }
  addEventListener('popstate', onNavigation);
  sendPageView();
}
