import { fileRepositoryContract } from '../../test/file-repository-contract.ts';
import { uploadPartsContract } from '../../test/upload-parts-contract.ts';
import { uploadRepositoryContract } from '../../test/upload-repository-contract.ts';
import { MemoryFileRepository, MemoryUploadRepository, MemoryUploadStore } from './memory-upload-repository.ts';

const memory = async () => {
  const store = new MemoryUploadStore();
  return { uploads: new MemoryUploadRepository(store), files: new MemoryFileRepository(store) };
};

uploadRepositoryContract('memory', memory);
uploadPartsContract('memory', memory);
fileRepositoryContract('memory', memory);
