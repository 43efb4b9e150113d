import { api } from '../api';
import { CredentialsForm } from '../components/credentials-form';

/** Sign-in; `ended` when a page's request found the session gone (expired, or signed out elsewhere). */
export function SignInPage({ onSignedIn, ended }: { onSignedIn(): void; ended?: boolean }) {
  return (
    <CredentialsForm
      title="Sign in to Acquaint"
      submitLabel="Sign in"
      notice={
        ended ? 'Your session ended (it expired or was signed out): sign in again to go on.' : undefined
      }
      onSubmit={(email, password) => api('POST', '/api/session', { email, password })}
      onDone={onSignedIn}
    />
  );
}
