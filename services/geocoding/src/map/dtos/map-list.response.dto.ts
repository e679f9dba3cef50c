import { ApiProperty } from '@nestjs/swagger';
import { PinPropertiesResponseDto } from './map-customers.response.dto';

// Response shapes, for /api/docs only: the controller returns the use case's MapList.

export class MapListItemResponseDto extends PinPropertiesResponseDto {
  @ApiProperty({ example: 23.1291 }) lat!: number;
  @ApiProperty({ example: 113.2644 }) lng!: number;
  @ApiProperty({ type: String, nullable: true, example: 'CN' }) countryCode!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '30', description: 'GeoNames admin1 code.' })
  regionCode!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '广东省' }) region!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Guangzhou' }) city!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '1440000',
    description: 'sort=priority: days overdue × overdue minor units in the ranking currency; null otherwise.',
  })
  priority!: string | null;
}

export class MapListResponseDto {
  @ApiProperty({ type: [MapListItemResponseDto] }) items!: MapListItemResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'null on the last page.' }) nextCursor!:
    string | null;
}
