// Personalised experiences and the variants persons were given. Part of `Database` (schema.ts).

/** A personalised experience; `definition` is the JSON of its pages, target, variants, goal and frequency. */
export interface ExperiencesTable {
  id: string;
  project_id: string;
  name: string;
  type: string;
  /** draft, published or paused. */
  status: string;
  priority: number;
  starts_at: number | null;
  ends_at: number | null;
  definition: string;
  created_at: number;
  updated_at: number;
  published_at: number | null;
}

/** The variant a person was given for an experience (sticky across devices), and when it last showed. */
export interface ExperienceAssignmentsTable {
  project_id: string;
  experience_id: string;
  person_id: number;
  variant: string;
  assigned_at: number;
  last_shown_at: number;
  /** The session in which decide last answered it (once-per-session frequency). */
  last_session_id: string | null;
}
