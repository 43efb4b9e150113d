import { createContext, useContext } from 'react';

export interface Account {
  id: string;
  email: string;
  role: 'owner' | 'admin' | 'viewer';
}

export interface Project {
  id: string;
  name: string;
  write_key: string;
}

export interface SessionState {
  account: Account;
  projects: Project[];
  project: Project;
  switchProject(id: string): void;
  reloadProjects(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether the signed-in account may change things (owner and admin; a viewer only reads). */
export function useCanChange(): boolean {
  return useSession().account.role !== 'viewer';
}
