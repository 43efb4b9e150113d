import { guard } from './debug-log.js';

/** One experience of a decide answer. */
interface Decided {
  id: string;
  type: 'banner' | 'popup' | 'bar' | 'page_edit' | 'redirect';
  variant: string;
  frequency: string;
  content: {
    html?: string;
    redirect_url?: string;
    edits?: { selector: string; text?: string; html?: string; attr?: string; value?: string }[];
  } | null;
}

/** What the renderer needs from the client: who is asking, and a way to send events. */
export interface ExperienceHost {
  decideUrl: string;
  body: () => Record<string, unknown>;
  track: (event: string, properties: Record<string, unknown>) => void;
  /** Hide the page for at most this many ms until page edits apply (0: never hide). */
  antiFlicker: number;
}

const PREVIEW = 'acq_preview';
const HIDE_ID = 'acq-hide';

const session = (): Storage | null => {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
};
const local = (): Storage | null => {
  try {
    return localStorage;
  } catch {
    return null;
  }
};

/** Hides the page (anti-flicker) until `reveal` or `ms` pass. */
function hidePage(ms: number): () => void {
  if (!ms) return () => {};
  const style = document.createElement('style');
  style.id = HIDE_ID;
  style.textContent = 'html{opacity:0!important}';
  document.head.appendChild(style);
  const reveal = () => style.remove();
  setTimeout(reveal, ms);
  return reveal;
}

/**
 * Asks decide what this page shows and renders it.
 *
 * strategy: remember a preview token from the URL for this tab; hide the page if asked
 * (anti-flicker, bounded); POST the visitor's ids and URL to /v1/decide as text/plain (no
 * preflight); on any failure reveal the page unchanged. Each experience is skipped if the browser
 * already showed it this session (once_per_session) or ever (once_per_user); otherwise rendered,
 * once the DOM is ready, and an impression is sent (the control renders nothing but counts).
 * Only the first redirect runs, at most once per experience and tab, never to the page itself.
 */
export async function showExperiences(host: ExperienceHost): Promise<void> {
  const token = new URLSearchParams(location.search).get('acquaint_preview');
  if (token) session()?.setItem(PREVIEW, token);
  const reveal = hidePage(host.antiFlicker);
  try {
    const response = await fetch(host.decideUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      credentials: 'omit',
      body: JSON.stringify({
        ...host.body(),
        url: location.href,
        preview: session()?.getItem(PREVIEW) || undefined,
      }),
    });
    const { experiences } = (await response.json()) as { experiences: Decided[] };
    if (document.readyState === 'loading')
      await new Promise((ready) => addEventListener('DOMContentLoaded', ready));
    for (const old of document.querySelectorAll('[data-experience-id]')) old.remove();
    let redirected = false;
    for (const experience of experiences) {
      guard(() => {
        const key = `acq_x_${experience.id}`;
        const store = experience.frequency === 'once_per_user' ? local() : session();
        if (experience.frequency !== 'every_page' && store?.getItem(key)) return;
        const properties = { experience_id: experience.id, variant: experience.variant };
        const content = experience.content;
        if (content?.redirect_url) {
          const target = new URL(content.redirect_url, location.href);
          if (
            redirected ||
            session()?.getItem(`acq_r_${experience.id}`) ||
            target.href.split('#')[0] === location.href.split('#')[0]
          )
            return;
          redirected = true;
          session()?.setItem(`acq_r_${experience.id}`, '1');
          host.track('$experience_impression', properties);
          location.replace(target.href);
          return;
        }
        if (content?.edits) applyEdits(content.edits);
        else if (content?.html) showBox(experience.type, content.html, properties, host);
        store?.setItem(key, '1');
        host.track('$experience_impression', properties);
      })();
    }
  } catch {
    // A failed decide leaves the page as it was.
  }
  reveal();
}

function applyEdits(edits: NonNullable<NonNullable<Decided['content']>['edits']>): void {
  for (const edit of edits) {
    guard(() => {
      for (const element of document.querySelectorAll(edit.selector)) {
        if (edit.text !== undefined) element.textContent = edit.text;
        else if (edit.html !== undefined) element.innerHTML = edit.html;
        else if (edit.attr) element.setAttribute(edit.attr, edit.value ?? '');
      }
    })();
  }
}

const BOX_STYLE: Record<string, string> = {
  banner: 'position:relative;padding:12px 48px 12px 16px;background:#fff8e1;border-bottom:1px solid #e0c060',
  bar: 'position:fixed;left:0;right:0;bottom:0;z-index:2147483646;padding:10px 48px 10px 16px;background:#222;color:#fff',
  popup:
    'position:fixed;top:50%;left:50%;transform:translate(-50%,-50%);z-index:2147483647;max-width:90vw;padding:24px 48px 24px 24px;background:#fff;border-radius:8px;box-shadow:0 8px 32px rgba(0,0,0,.3)',
};

/** A banner, bar or popup: the owner's HTML, a close button, Escape to close. */
function showBox(
  type: string,
  html: string,
  properties: Record<string, unknown>,
  host: ExperienceHost,
): void {
  const box = document.createElement('div');
  box.className = `acquaint-${type}`;
  box.setAttribute('role', type === 'popup' ? 'dialog' : 'region');
  box.setAttribute('aria-label', type === 'popup' ? 'Message' : 'Announcement');
  box.dataset.experienceId = String(properties.experience_id);
  box.style.cssText = BOX_STYLE[type] ?? BOX_STYLE.banner;
  const body = document.createElement('div');
  body.innerHTML = html;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'acquaint-close';
  close.setAttribute('aria-label', 'Close');
  close.textContent = '×';
  close.style.cssText =
    'position:absolute;top:8px;right:8px;font:20px/1 sans-serif;background:none;border:0;color:inherit;cursor:pointer';
  box.append(body, close);
  const dismiss = () => {
    box.remove();
    removeEventListener('keydown', onKey);
    host.track('$experience_dismiss', properties);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') dismiss();
  };
  close.addEventListener('click', dismiss);
  addEventListener('keydown', onKey);
  body.addEventListener('click', (event) => {
    if ((event.target as Element).closest('a,button')) host.track('$experience_click', properties);
  });
  if (type === 'banner') document.body.prepend(box);
  else document.body.appendChild(box);
  if (type === 'popup') close.focus();
}
