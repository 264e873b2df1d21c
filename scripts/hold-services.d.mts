export declare const FORBID_ALL: string;
export declare function holdServices(root?: string): () => void;
export declare function withServicesHeld<T>(install: () => T, root?: string): T;
