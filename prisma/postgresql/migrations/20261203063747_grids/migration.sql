-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "latitude" DOUBLE PRECISION,
ADD COLUMN     "longitude" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "Unit" ADD COLUMN     "latitude" DOUBLE PRECISION,
ADD COLUMN     "longitude" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "Grid" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "parentCode" TEXT,
    "patrolFrequency" TEXT,
    "workerId" TEXT,
    "geometry" TEXT,
    "minLng" DOUBLE PRECISION,
    "minLat" DOUBLE PRECISION,
    "maxLng" DOUBLE PRECISION,
    "maxLat" DOUBLE PRECISION,
    "importedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Grid_pkey" PRIMARY KEY ("code")
);

-- CreateIndex
CREATE INDEX "Grid_parentCode_idx" ON "Grid"("parentCode");

-- CreateIndex
CREATE INDEX "Grid_workerId_idx" ON "Grid"("workerId");

-- CreateIndex
CREATE INDEX "Case_grid_idx" ON "Case"("grid");

-- AddForeignKey
ALTER TABLE "Grid" ADD CONSTRAINT "Grid_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
