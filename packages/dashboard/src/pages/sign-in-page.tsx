import { api } from '../api';
import { CredentialsForm } from '../components/credentials-form';

export function SignInPage({ onSignedIn }: { onSignedIn(): void }) {
  return (
    <CredentialsForm
      title="Sign in to Acquaint"
      submitLabel="Sign in"
      onSubmit={(email, password) => api('POST', '/api/session', { email, password })}
      onDone={onSignedIn}
    />
  );
}
