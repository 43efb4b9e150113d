/** Methods the snippet's stub queues until sdk.js has loaded; it replays them in order. */
export const QUEUED_METHODS: string[] = [
  'init',
  'identify',
  'setOnce',
  'unset',
  'increment',
  'append',
  'union',
  'remove',
  'track',
  'page',
  'reset',
  'optOut',
  'optIn',
  'ready',
];

/** What the copy-paste snippet is made of. */
export interface SnippetOptions {
  /** The project's public write key. */
  writeKey: string;
  /** Origin of the Acquaint server, e.g. `https://acquaint.example.com`. */
  host: string;
  /** URL of the SDK file. Default `${host}/sdk.js`; a `/sdk/<version>/acquaint.js` URL pins a version. */
  src?: string;
  /** Further `init` options (`cookieDomain`, `autoPageviews`, `debug`...). */
  options?: Record<string, unknown>;
}

/**
 * The `<script>` to paste in every page's `<head>`. It defines `acquaint` at once as a stub that
 * queues the calls made before sdk.js has loaded (getters answer `null` meanwhile), loads sdk.js
 * asynchronously, and calls `init`. A second copy of the snippet on a page does nothing.
 */
export function snippet({ writeKey, host, src = `${host}/sdk.js`, options = {} }: SnippetOptions): string {
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
  return `<script>
!function(w,d,u){var a=w.acquaint=w.acquaint||{};if(a.init)return;a._q=[];
${json(QUEUED_METHODS)}.forEach(function(m){a[m]=function(){a._q.push([m,[].slice.call(arguments)])}});
a.getAnonymousId=a.getUserId=a.isOptedOut=function(){return null};
var s=d.createElement('script');s.async=true;s.src=u;d.head.appendChild(s)}(window,document,${json(src)});
acquaint.init(${json(writeKey)},${json({ host, ...options })});
</script>`;
}
