throw new Error(
  '@prisma/streams-local is not installed in this project (it serves only `prisma dev`, which the project does not use)',
);
