import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api, apiState } from './api';
import { AppLayout } from './components/app-layout';
import { Loading } from './components/states';
import { DataSettingsPage } from './pages/data-settings-page';
import { ExperiencePage, NewExperiencePage } from './pages/experience-page';
import { ExperiencesPage } from './pages/experiences-page';
import { GroupPage } from './pages/group-page';
import { GroupsPage } from './pages/groups-page';
import { ImportsPage } from './pages/imports-page';
import { InstallPage } from './pages/install-page';
import { InvitePage } from './pages/invite-page';
import { NewGroupPage } from './pages/new-group-page';
import { ProfilePage } from './pages/profile-page';
import { ReportsPage } from './pages/reports-page';
import { SetupPage } from './pages/setup-page';
import { SignInPage } from './pages/sign-in-page';
import { TeamPage } from './pages/team-page';
import { UsersPage } from './pages/users-page';
import { navigate, usePath } from './router';
import { type Account, type Project, SessionContext, type SessionState } from './session';

const PROJECT_KEY = 'acquaint.project';

type Boot =
  | { state: 'loading' }
  | { state: 'setup' }
  | { state: 'signed-out'; ended?: boolean }
  | { state: 'signed-in'; account: Account; projects: Project[] };

/** Decides between first-run setup, sign-in and the signed-in pages, then routes by path. */
export function App() {
  const path = usePath();
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const [projectId, setProjectId] = useState<string | null>(localStorage.getItem(PROJECT_KEY));

  const load = useCallback(async () => {
    const setup = await api<{ needed: boolean }>('GET', '/api/setup');
    if (setup.needed) return setBoot({ state: 'setup' });
    try {
      const session = await api<{ account: Account; csrf_token: string }>('GET', '/api/session');
      apiState.csrfToken = session.csrf_token;
      const { projects } = await api<{ projects: Project[] }>('GET', '/api/projects');
      setBoot({ state: 'signed-in', account: session.account, projects });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return setBoot({ state: 'signed-out' });
      throw error;
    }
  }, []);

  useEffect(() => {
    // A request answered 401 NOT_SIGNED_IN: the session expired or was signed out elsewhere.
    apiState.onSignedOut = () =>
      setBoot((now) => (now.state === 'signed-in' ? { state: 'signed-out', ended: true } : now));
    void load();
  }, [load]);

  const session = useMemo<SessionState | null>(() => {
    if (boot.state !== 'signed-in' || boot.projects.length === 0) return null;
    const project = boot.projects.find((p) => p.id === projectId) ?? boot.projects[0];
    apiState.project = project.id;
    return {
      account: boot.account,
      projects: boot.projects,
      project,
      switchProject: (id) => {
        localStorage.setItem(PROJECT_KEY, id);
        setProjectId(id);
      },
      reloadProjects: load,
      signOut: async () => {
        await api('DELETE', '/api/session');
        apiState.csrfToken = null;
        setBoot({ state: 'signed-out' });
        navigate('/');
      },
    };
  }, [boot, projectId, load]);

  if (path === '/invite') return <InvitePage onSignedIn={load} />;
  if (boot.state === 'loading') return <Loading />;
  if (boot.state === 'setup') return <SetupPage onDone={load} />;
  if (boot.state === 'signed-out' || !session)
    return <SignInPage onSignedIn={load} ended={boot.state === 'signed-out' && boot.ended} />;

  return (
    <SessionContext.Provider value={session}>
      <AppLayout path={path}>
        <Page path={path} key={session.project.id} />
      </AppLayout>
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  const person = /^\/users\/(\d+)$/.exec(path);
  if (person) return <ProfilePage personId={Number(person[1])} />;
  if (path === '/groups/new') return <NewGroupPage />;
  const group = /^\/groups\/([^/]+)$/.exec(path);
  if (group) return <GroupPage groupId={decodeURIComponent(group[1])} />;
  if (path.startsWith('/groups')) return <GroupsPage />;
  if (path === '/experiences/new') return <NewExperiencePage />;
  const experience = /^\/experiences\/([^/]+)$/.exec(path);
  if (experience) return <ExperiencePage experienceId={decodeURIComponent(experience[1])} />;
  if (path.startsWith('/experiences')) return <ExperiencesPage />;
  if (path.startsWith('/reports')) return <ReportsPage />;
  if (path.startsWith('/data-settings')) return <DataSettingsPage />;
  if (path.startsWith('/users')) return <UsersPage />;
  if (path.startsWith('/imports')) return <ImportsPage />;
  if (path.startsWith('/team')) return <TeamPage />;
  return <InstallPage />;
}
