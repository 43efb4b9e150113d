import { createOwner } from '../accounts/first-run-setup.js';
import { createProject } from '../projects/create-project.js';
import { openStore } from '../storage/store.js';

/** `acquaint init`: schema plus a new project (and, when asked, the owner account); the keys are printed once. */
export async function runInit(options: {
  location: string;
  projectName: string;
  json: boolean;
  owner?: { email: string; password: string };
}): Promise<number> {
  const store = openStore(options.location);
  try {
    await store.migrate();
    let owner: { email: string } | undefined;
    if (options.owner) {
      const created = await createOwner(store, options.owner);
      if (!created.ok) {
        process.stderr.write(`acquaint init: ${created.message}\n`);
        return 1;
      }
      owner = { email: created.account.email };
    }
    const project = await createProject(store, options.projectName);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(owner ? { ...project, owner_email: owner.email } : project)}\n`);
    } else {
      process.stdout.write(
        [
          `Created project "${project.name}" (${project.project_id}).`,
          `  write key (public, for the SDK):      ${project.write_key}`,
          `  API key (secret, every scope, shown once): ${project.api_key}`,
          `  identity secret (for userHash):       ${project.identity_secret}`,
          ...(owner ? [`  dashboard owner account:             ${owner.email}`] : []),
          '',
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
