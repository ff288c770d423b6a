import { useEffect, useState } from 'preact/hooks';

/** Where the service serves the console; client routes live under it (the service falls back to the page). */
export const BASE = '/console';
const CHANGE = 'console:navigate';

/** The current route: the path after /console, always starting with '/'. */
export function currentRoute(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path === '' ? '/' : path;
}

export function href(route: string): string {
  return route === '/' ? `${BASE}/` : `${BASE}${route}`;
}

export function navigate(route: string, replace = false): void {
  if (replace) history.replaceState(null, '', href(route));
  else history.pushState(null, '', href(route));
  dispatchEvent(new Event(CHANGE));
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    addEventListener(CHANGE, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

/** A click on a link that the router should handle: a plain left click without modifier keys. */
export function isPlainClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}
