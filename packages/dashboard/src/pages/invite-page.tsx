import { api } from '../api';
import { CredentialsForm } from '../components/credentials-form';
import { navigate } from '../router';

/** The page an invitation link opens: create an account with the role of the invitation. */
export function InvitePage({ onSignedIn }: { onSignedIn(): void }) {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  return (
    <CredentialsForm
      title="Join Acquaint"
      intro="You were invited to this Acquaint install. Choose your e-mail and a password."
      submitLabel="Create account"
      newPassword
      onSubmit={(email, password) => api('POST', '/api/invitations/accept', { token, email, password })}
      onDone={() => {
        navigate('/');
        onSignedIn();
      }}
    />
  );
}
