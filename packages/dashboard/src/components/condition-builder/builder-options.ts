import { createContext, useContext } from 'react';
import { useApi } from '../../use-api';

/** What the leaves of a condition can name: attributes with their types, groups, experiences. */
export interface BuilderOptions {
  attributes: { name: string; type: string }[];
  groups: { id: string; name: string }[];
  experiences: { id: string; name: string }[];
}

export const BuilderOptionsContext = createContext<BuilderOptions>({
  attributes: [],
  groups: [],
  experiences: [],
});

export const useBuilderOptions = () => useContext(BuilderOptionsContext);

/** Loads the names a condition may use (once per builder). */
export function useLoadBuilderOptions(excludeGroup?: string): BuilderOptions {
  const attributes = useApi<{ attributes: { name: string; type: string }[] }>('/api/attributes');
  const groups = useApi<{ groups: { id: string; name: string }[] }>('/api/groups');
  const experiences = useApi<{ experiences: { id: string; name: string }[] }>('/api/experiences');
  return {
    attributes: attributes.data?.attributes ?? [],
    groups: (groups.data?.groups ?? []).filter((g) => g.id !== excludeGroup),
    experiences: experiences.data?.experiences ?? [],
  };
}
