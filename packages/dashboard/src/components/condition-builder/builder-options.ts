import { createContext, useContext } from 'react';
import { useApi } from '../../use-api';

/**
 * What the leaves of a condition can name: attributes with their types and experiences; groups
 * are searched by their own picker, which leaves out `excludeGroup` (the group being edited).
 */
export interface BuilderOptions {
  attributes: { name: string; type: string }[];
  experiences: { id: string; name: string }[];
  excludeGroup?: string;
}

export const BuilderOptionsContext = createContext<BuilderOptions>({
  attributes: [],
  experiences: [],
});

export const useBuilderOptions = () => useContext(BuilderOptionsContext);

/** Loads the names a condition may use (once per builder). */
export function useLoadBuilderOptions(excludeGroup?: string): BuilderOptions {
  const attributes = useApi<{ attributes: { name: string; type: string }[] }>('/api/attributes');
  const experiences = useApi<{ experiences: { id: string; name: string }[] }>('/api/experiences');
  return {
    attributes: attributes.data?.attributes ?? [],
    excludeGroup,
    experiences: experiences.data?.experiences ?? [],
  };
}
