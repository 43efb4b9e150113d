import type { Condition } from './condition-builder/condition-model';

/** A group as `GET /api/groups/:id` answers it (DESIGN §4). */
export interface GroupOverview {
  id: string;
  name: string;
  type: 'dynamic' | 'static';
  condition?: Condition;
  users: number;
  pending?: number;
  import_id?: string;
  new_users_7d: number;
  active_users_7d: number;
  warnings?: { message: string }[];
}

export interface GroupTemplate {
  key: string;
  name: string;
  description: string;
  condition: Condition;
  users: number;
}
