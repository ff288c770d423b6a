import type { ComponentChild } from 'preact';
import { ApiKeys } from './pages/api-keys.js';
import { Enrol } from './pages/enrol.js';
import { Home } from './pages/home.js';
import { Identify } from './pages/identify.js';
import { Model } from './pages/model.js';
import { Recognise } from './pages/recognise.js';
import { Stats } from './pages/stats.js';
import { UserDetail } from './pages/user-detail.js';
import { Users } from './pages/users.js';
import { Verify } from './pages/verify.js';
import type { Scope } from './lib/session.js';

/** A page in the navigation, and the scope its API calls need (a page a key cannot use is hidden). */
export interface Destination {
  route: string;
  label: string;
  summary: string;
  scope?: Scope;
}

export const DESTINATIONS: Destination[] = [
  { route: '/', label: 'Overview', summary: 'your key and the model' },
  { route: '/recognise', label: 'Recognise', summary: 'who is in a photo', scope: 'recognise' },
  { route: '/enrol', label: 'Enrol', summary: 'add a person from photos', scope: 'enroll' },
  { route: '/verify', label: 'Verify', summary: 'is it the same person (1:1)', scope: 'recognise' },
  { route: '/identify', label: 'Identify', summary: 'the closest enrolled people (1:N)', scope: 'recognise' },
  {
    route: '/users',
    label: 'Users',
    summary: 'search, edit and delete people and their faces',
    scope: 'manage',
  },
  { route: '/stats', label: 'Statistics', summary: 'gallery size and activity', scope: 'manage' },
  { route: '/api-keys', label: 'API keys', summary: 'create and revoke keys', scope: 'admin' },
  { route: '/model', label: 'Model', summary: 'the model profile and its licence' },
];

export interface Match {
  destination?: Destination;
  render: () => ComponentChild;
}

const USER = /^\/users\/([0-9a-f-]{36})$/i;

/** The page for a route; `undefined` when nothing lives there. */
export function match(route: string, actions: { signOut: () => void }): Match | undefined {
  const user = USER.exec(route);
  if (user) {
    const id = user[1]!;
    return { destination: byRoute('/users'), render: () => <UserDetail key={id} id={id} /> };
  }
  const destination = byRoute(route.replace(/\/$/, '') || '/');
  if (!destination) return undefined;
  const pages: Record<string, () => ComponentChild> = {
    '/': () => <Home destinations={DESTINATIONS} />,
    '/recognise': () => <Recognise />,
    '/enrol': () => <Enrol />,
    '/verify': () => <Verify />,
    '/identify': () => <Identify />,
    '/users': () => <Users />,
    '/stats': () => <Stats />,
    '/api-keys': () => <ApiKeys onOwnKeyRevoked={actions.signOut} />,
    '/model': () => <Model />,
  };
  return { destination, render: pages[destination.route]! };
}

function byRoute(route: string): Destination | undefined {
  return DESTINATIONS.find((d) => d.route === route);
}
