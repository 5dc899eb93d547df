export interface LabDir {
  dir: string;
  topology: string;
  kindConfig: string;
  cluster: string;
  nodeNames: string[];
  customResources: string;
  remove(): Promise<void>;
}
export function makeLabDir(root: string, options?: { nodes?: number; lesson?: string }): Promise<LabDir>;
