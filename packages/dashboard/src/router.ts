import { useEffect, useState } from 'react';

/** The current path, following pushState navigation and the back button. */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('acquaint:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('acquaint:navigate', update);
    };
  }, []);
  return path;
}

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event('acquaint:navigate'));
  window.scrollTo(0, 0);
}

/** A same-app link's click handler: navigates without reloading, keeps ctrl/cmd-click working. */
export function linkTo(to: string) {
  return {
    href: to,
    onClick: (event: React.MouseEvent) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(to);
    },
  };
}
