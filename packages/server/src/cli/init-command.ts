import { createProject } from '../projects/create-project.js';
import { openStore } from '../storage/store.js';

/** `acquaint init`: schema plus a new project; the keys are printed once. */
export async function runInit(options: {
  location: string;
  projectName: string;
  json: boolean;
}): Promise<number> {
  const store = openStore(options.location);
  try {
    await store.migrate();
    const project = await createProject(store, options.projectName);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(project)}\n`);
    } else {
      process.stdout.write(
        [
          `Created project "${project.name}" (${project.project_id}).`,
          `  write key (public, for the SDK):      ${project.write_key}`,
          `  API key (secret, every scope, shown once): ${project.api_key}`,
          `  identity secret (for userHash):       ${project.identity_secret}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
